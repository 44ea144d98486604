"""scripts/tune.py: a 2-trial study in its SQLite file, interrupted in its second trial, continued by the same command;
its best.yaml is a preset train.py accepts; bad input is one line."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time

import optuna
import pytest

from agents.experiment.config import config_to_dict, resolve_config
from agents.experiment.run_dir import list_checkpoints
from agents.experiment.tuning import read_settings, trial_config
from tests.scripts.script_runner import ENV, ROOT, SCRIPTS, check_user_error, load_script, run_script

TINY = ["--set", "n_envs=2", "--set", "net_arch=[8]", "--space", "n_steps=[32]", "--space", "batch_size=[32, 64]",
        "--space", "n_epochs=[1]", "--space", "hidden_size=[8]", "--space", "num_layers=[1]",
        "--space", "sequence_length=[8, 16]"]  # fmt: skip

tune_script = load_script("tune")


def _wait_for_checkpoint(run_dir, process, timeout=120):
    """Wait until the run has a checkpoint past step 0 (or the process ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if (run_dir / "config.yaml").is_file() and any(c.step > 0 for c in list_checkpoints(run_dir)):
            return
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint in {run_dir}: {process.poll()}")


def test_interrupted_study_continues_with_the_same_command(tmp_path):
    study_dir = tmp_path / "study"
    args = ["--env", "pomdp/RepeatPrevious-v0", "--trials", "2", "--timesteps", "384", "--eval-freq", "128",
            "--eval-episodes", "2", "--workers", "1", "--study-dir", str(study_dir), *TINY]  # fmt: skip
    command = [sys.executable, str(SCRIPTS / "tune.py"), *args]
    process = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = study_dir / "runs" / "trial_001"
    _wait_for_checkpoint(second, process)
    process.send_signal(signal.SIGINT)  # Ctrl-C in the second trial: it saves a checkpoint, the script stops
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    storage = f"sqlite:///{study_dir / 'study.db'}"
    states = [trial.state.name for trial in optuna.load_study(study_name="tune", storage=storage).trials]
    assert states == ["COMPLETE", "RUNNING"]
    kept = list_checkpoints(second)[-1]
    kept_time = kept.model.stat().st_mtime_ns

    done = run_script("tune", *args, timeout=180)  # the same command continues the study
    assert done.returncode == 0, done.stderr
    assert "2 trials (2 complete, 0 pruned, 0 failed)" in done.stdout
    assert kept.model.stat().st_mtime_ns == kept_time  # trial 1 went on from its checkpoint, not from scratch
    with (second / "evaluations.csv").open() as file:
        steps = [int(row["step"]) for row in csv.DictReader(file)]
    assert steps[:-1] == [0, 128, 256]  # every evaluation once; the last one where the resumed rollouts end
    assert 384 <= steps[-1] < 384 + 64
    with (study_dir / "trials.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [(row["number"], row["state"], row["pruned"]) for row in rows] == [("0", "COMPLETE", "False"),
                                                                              ("1", "COMPLETE", "False")]  # fmt: skip
    for name in ("best.yaml", "history.png", "importances.png"):
        assert (study_dir / name).stat().st_size > 0
    # best.yaml is a preset: resolving it gives the best trial's run (less the machine keys)
    study = optuna.load_study(study_name="tune", storage=storage)
    best = trial_config(read_settings(study_dir), study.best_params)
    from_preset = resolve_config(preset=study_dir / "best.yaml", overrides={"seed": best.seed, "threads": 1})
    assert config_to_dict(from_preset) == config_to_dict(best)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--env is required (or --resume STUDY_DIR)"),
        (["--env", "pomdp/TMaze-v0", "--space", "n_step=[32]"], "'n_step' is not a hyperparameter"),
        (["--env", "pomdp/TMaze-v0", "--set", "gamma=5"], "gamma=5: expected float in (0, 1]"),
        (["--resume", "nowhere"], "'nowhere' holds no study"),
        (["--resume", "nowhere", "--cell", "lstm"], "--resume continues the study as started: --cell cannot change"),
    ],
)
def test_bad_input_is_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_user_error(tune_script.main, args, message, capsys)
