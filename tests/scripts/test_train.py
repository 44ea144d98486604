"""scripts/train.py end to end in a subprocess with a tiny budget; resume; Ctrl-C; bad input."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from agents.experiment.run_dir import list_checkpoints, load_model
from agents.ppo.recurrent_ppo import RecurrentPPO
from tests.scripts.script_runner import ENV, ROOT, SCRIPTS, load_script, run_script

TINY = [
    "--env", "pomdp/TMaze-v0", "--n-envs", "2", "--no-progress",
    "--set", "n_steps=32", "--set", "batch_size=32", "--set", "n_epochs=1", "--set", "hidden_size=8",
    "--set", "net_arch=[8]", "--set", "eval_episodes=2", "--set", "eval_freq=128", "--set", "checkpoint_freq=128",
]  # fmt: skip


train_script = load_script("train")


def train_run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return run_script("train", *args, timeout=timeout)


def test_train_end_to_end_then_resume(tmp_path, interrupted):
    run_dir = tmp_path / "run"
    done = train_run(*TINY, "--timesteps", "256", "--run-dir", str(run_dir))
    assert done.returncode == 0, done.stderr
    assert "return" in done.stdout
    for name in ("config.yaml", "model.zip", "results.json", "evaluations.csv"):
        assert (run_dir / name).is_file(), name
    assert list(run_dir.glob("tb_1/events.out.tfevents.*"))
    assert json.loads((run_dir / "results.json").read_text())["step"] == 256
    # Resume in-process: the step count continues from the last checkpoint, up to the new total.
    assert train_script.main(["--resume", str(run_dir), "--timesteps", "384", "--no-progress"]) == 0
    results = json.loads((run_dir / "results.json").read_text())
    assert results["step"] == 384
    assert [c.step for c in list_checkpoints(run_dir)] == [128, 256, 384]
    assert RecurrentPPO.load(run_dir / "model.zip").num_timesteps == 384


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """A long run started in a subprocess, to be interrupted; it starts first so that it trains while others run."""
    run_dir = tmp_path_factory.mktemp("sigint") / "run"
    process = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "train.py"), *TINY, "--timesteps", "1000000", "--run-dir", str(run_dir)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process, run_dir
    if process.poll() is None:
        process.kill()


def test_sigint_leaves_a_loadable_checkpoint(interrupted):
    process, run_dir = interrupted
    deadline = time.monotonic() + 90
    while not list_checkpoints(run_dir) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == train_script.EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert "--resume" in stdout
    last = list_checkpoints(run_dir)[-1]
    assert last.step > 0
    loaded = load_model(last.model)
    assert loaded.model.num_timesteps == last.step
    assert (run_dir / "config.yaml").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "pomdp/TMaz-v0"], "Unknown env id 'pomdp/TMaz-v0': the closest registered ids are pomdp/TMaze"),
        (["--set", "n_step=64"], "Unknown key 'n_step' in the overrides (did you mean n_steps?)"),
        (["--set", "gamma=high"], "gamma='high': expected float"),
        (["--cell", "gru", "--policy", "MlpPolicy"], "Give --cell or --policy, not both"),
        (["--resume", "missing_run"], "Cannot resume: 'missing_run' does not exist"),
    ],
)
def test_bad_input_is_a_clear_error(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert train_script.main(args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_preset_with_unknown_key(tmp_path, capsys):
    preset = tmp_path / "preset.yaml"
    preset.write_text("hyperparams:\n  n_step: 64\n")
    assert train_script.main(["--preset", str(preset), "--run-dir", str(tmp_path / "run")]) == 2
    assert "Unknown key 'n_step' in preset" in capsys.readouterr().err


def test_existing_run_dir_and_bad_resume_overwrite_nothing(tmp_path, capsys):
    run_dir = tmp_path / "run"
    (run_dir / "checkpoints").mkdir(parents=True)
    (run_dir / "config.yaml").write_text("env: pomdp/TMaze-v0\n")
    truncated = run_dir / "checkpoints" / "step_000000128.zip"
    truncated.write_bytes(b"PK\x03\x04 truncated")
    (run_dir / "checkpoints" / "step_000000128.json").write_text('{"step": 128, "train_time": 1, "normalize": false}')
    before = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    assert train_script.main(["--run-dir", str(run_dir)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert train_script.main(["--resume", str(truncated)]) == 2
    assert "is not a saved model, or truncated" in capsys.readouterr().err
    assert train_script.main(["--resume", str(run_dir), "--env", "pomdp/RepeatFirst-v0"]) == 2
    assert "cannot change" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()} == before
