"""scripts/bench_envs.py end to end in a subprocess with a tiny budget, and its user errors."""

from __future__ import annotations

from agents.experiment.env_speed import env_speed, markdown_table
from tests.scripts.script_runner import check_user_error, load_script, run_script

bench_envs = load_script("bench_envs")


def test_writes_both_tables_and_the_plot(tmp_path):
    args = ["--tasks", "pomdp/TMaze-v0", "pomdp/PointRecall-v0", "--n-envs", "1", "4", "--repeats", "1",
            "--min-time", "0.01", "--train-n-envs", "2", "--rollouts", "1", "--out", str(tmp_path),
            "--set", "n_steps=4", "--set", "batch_size=8", "--set", "n_epochs=1", "--set", "hidden_size=4"]  # fmt: skip
    done = run_script("bench_envs", *args)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "bench_envs.md").read_text()
    assert "| pomdp/PointRecall-v0 | 4 |" in text
    assert "| pomdp/RepeatPrevious-v0 | 2 |" in text  # the training table
    assert "ours_gru / sb3c_lstm" in text
    assert (tmp_path / "bench_envs.png").stat().st_size > 1000


def test_env_speed_times_every_kind_and_the_table_shows_the_ratio():
    rows = env_speed(["pomdp/RepeatFirst-v0"], [3], repeats=1, min_time=0.005)
    assert [row["n_envs"] for row in rows] == [3]
    assert all(rows[0][kind] > 0 for kind in ("vector", "vecenv", "dummy"))
    table = markdown_table(rows, ["vector", "dummy"], ("vector", "dummy"))
    assert table.splitlines()[2].endswith(f"{rows[0]['vector'] / rows[0]['dummy']:.1f}x |")


def test_user_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_user_error(bench_envs.main, ["--tasks", "pomdp/TMaz-v0"], "Unknown env id 'pomdp/TMaz-v0'", capsys)
    check_user_error(bench_envs.main, ["--min-time", "0"], "--min-time must be > 0, got 0.0", capsys)
