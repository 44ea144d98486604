"""scripts/benchmark.py: the --quick path on a 1-task x 2-agent x 1-seed matrix writes CSV, table and PNG."""

from __future__ import annotations

import csv

import pytest

from tests.scripts.script_runner import check_user_error, load_script, run_script

TINY = ["--set", "n_envs=2", "--set", "n_steps=32", "--set", "batch_size=32", "--set", "n_epochs=1",
        "--set", "hidden_size=8", "--set", "net_arch=[8]", "--set", "eval_episodes=2"]  # fmt: skip


benchmark_script = load_script("benchmark")


def test_quick_matrix_writes_csv_table_and_plots_then_resumes(tmp_path):
    out = tmp_path / "bench"
    args = ["--quick", "--tasks", "pomdp/TMaze-v0", "--agents", "ppo_gru", "ppo_mlp", "--timesteps", "128",
            "--set", "eval_freq=64", "--workers", "2", "--out", str(out), *TINY]  # fmt: skip
    done = run_script("benchmark", *args, timeout=180)
    assert done.returncode == 0, done.stderr
    with (out / "evaluations.csv").open() as file:
        rows = list(csv.DictReader(file))
    expected = {(agent, step) for agent in ("ppo_gru", "ppo_mlp") for step in ("0", "64", "128")}
    assert {(row["agent"], row["step"]) for row in rows} == expected
    table = (out / "results.md").read_text()
    assert "| pomdp/TMaze-v0 | ppo_gru | 1/1 |" in table
    assert "| pomdp/TMaze-v0 | ppo_mlp | 1/1 |" in table
    assert (out / "curves.png").stat().st_size > 0
    assert (out / "curves_TMaze.png").stat().st_size > 0
    # Calling again finds every run done: nothing is trained, the report is rewritten.
    assert benchmark_script.main(args) == 0
    assert (out / "results.md").read_text().count("1/1") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agents", "ppo_transformer"], "Unknown agent(s) ['ppo_transformer']"),
        (["--tasks", "pomdp/TMazeEasy"], "closest registered ids are pomdp/TMazeEasy-v0"),
        (["--set", "device=cuda"], "--set device: use --device"),
        (["--scale", "0"], "--scale must be > 0, got 0.0"),
    ],
)
def test_bad_input_is_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_user_error(benchmark_script.main, [*args, "--out", "out"], message, capsys)
