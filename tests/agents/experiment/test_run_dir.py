"""Run directories, checkpoints and what --resume accepts: a bad checkpoint fails before anything is written."""

from __future__ import annotations

import os
import signal
import zipfile

import pytest
from stable_baselines3 import PPO

from agents.experiment.builders import make_env, make_model
from agents.experiment.config import resolve_config
from agents.experiment.errors import ConfigError
from agents.experiment.run_dir import (
    InterruptFlag,
    check_new_run_dir,
    check_resumable,
    create_run_dir,
    default_run_dir,
    find_resume,
    list_checkpoints,
    load_model,
    save_checkpoint,
)

TINY = {"n_envs": 2, "n_steps": 16, "batch_size": 16, "hidden_size": 8, "net_arch": [8], "timesteps": 64}


def tiny_config(**overrides):
    return resolve_config("pomdp/TMaze-v0", overrides={**TINY, **overrides})


@pytest.fixture
def run(tmp_path):
    """A run directory with config.yaml and one checkpoint of an untrained GRU agent (with VecNormalize)."""
    config = tiny_config(normalize=True)
    model = make_model(config, make_env(config))
    checkpoint = create_run_dir(tmp_path / "run", config, model)
    return tmp_path / "run", config, checkpoint


def snapshot(folder):
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*")}


def test_default_run_dir_layout():
    path = default_run_dir(tiny_config(seed=3), root="runs")
    assert path.parent.as_posix() == "runs/pomdp/TMaze-v0"
    assert path.name.startswith("ppo_gru_s3_")


def test_existing_run_dir_is_never_reused(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.yaml").write_text("seed: 0\n")
    with pytest.raises(FileExistsError, match="already exists: choose another --run-dir"):
        check_new_run_dir(tmp_path / "run")
    (tmp_path / "empty").mkdir()
    assert check_new_run_dir(tmp_path / "empty") == tmp_path / "empty"
    config = tiny_config()
    model = make_model(config, make_env(config))
    before = snapshot(tmp_path)
    with pytest.raises(FileExistsError):
        create_run_dir(tmp_path / "run", config, model)
    assert snapshot(tmp_path) == before


def test_a_new_run_dir_appears_whole_and_resumable(tmp_path, monkeypatch):
    config = tiny_config()
    model = make_model(config, make_env(config))
    (tmp_path / "empty").mkdir()
    checkpoint = create_run_dir(tmp_path / "empty", config, model)
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == ["checkpoints", "config.yaml"]
    assert find_resume(tmp_path / "empty")[2] == checkpoint
    assert checkpoint.step == 0
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no temporary folder left

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("agents.experiment.run_dir.save_checkpoint", fail)
    with pytest.raises(KeyboardInterrupt):
        create_run_dir(tmp_path / "stopped", config, model)
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # stopped halfway: nothing at all


def test_resume_of_a_finished_run_is_refused(run):
    _, config, checkpoint = run
    with pytest.raises(ConfigError, match=r"already at step 0 \(timesteps=0\): pass --timesteps > 0"):
        check_resumable(config.model_copy(update={"timesteps": 0}), checkpoint)
    check_resumable(config, checkpoint)  # step 0 < 64: fine


def test_checkpoint_round_trip(run):
    run_dir, config, checkpoint = run
    assert checkpoint.model.name == "step_000000000.zip"
    assert checkpoint.normalize is not None
    assert checkpoint == save_checkpoint(make_model(config, make_env(config)), run_dir, train_time=0.0)
    assert checkpoint.normalize.is_file()
    assert list_checkpoints(run_dir) == [checkpoint]
    assert not [p for p in run_dir.rglob(".tmp.*")]
    found_dir, found_config, found = find_resume(run_dir)
    assert (found_dir, found_config, found) == (run_dir, config, checkpoint)
    assert find_resume(checkpoint.model)[2] == checkpoint
    loaded = load_model(run_dir)
    assert loaded.config == config
    assert loaded.normalize == checkpoint.normalize


def test_resume_from_missing_file(run, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_resume(tmp_path / "nope.zip")
    with pytest.raises(FileNotFoundError, match="not a run directory with checkpoints"):
        find_resume(tmp_path)


def test_resume_from_truncated_checkpoint_writes_nothing(run):
    run_dir, _, checkpoint = run
    data = checkpoint.model.read_bytes()
    checkpoint.model.write_bytes(data[: len(data) // 2])
    before = snapshot(run_dir)
    with pytest.raises(ValueError, match="truncated"):
        find_resume(run_dir)
    assert snapshot(run_dir) == before


def test_resume_from_foreign_file(run):
    run_dir, _, checkpoint = run
    with zipfile.ZipFile(checkpoint.model, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="not a stable-baselines3 model"):
        find_resume(checkpoint.model)
    memoryless = tiny_config(policy="MlpPolicy")
    PPO("MlpPolicy", make_env(memoryless), n_steps=16, batch_size=16).save(checkpoint.model)
    before = snapshot(run_dir)
    with pytest.raises(ValueError, match=r"holds a ActorCriticPolicy policy.*comes from another run"):
        find_resume(checkpoint.model)
    assert snapshot(run_dir) == before


def test_resume_needs_a_run_directory(tmp_path, run):
    _, _, checkpoint = run
    stray = tmp_path / "stray.zip"
    stray.write_bytes(checkpoint.model.read_bytes())
    with pytest.raises(ValueError, match="not a checkpoint inside a run directory"):
        find_resume(stray)
    with pytest.raises(ValueError, match="pass --env"):
        load_model(stray)
    assert load_model(stray, env_id="pomdp/TMaze-v0").config.policy == "MlpGruPolicy"


def test_interrupt_flag_turns_the_first_signal_into_a_flag():
    # Python's own handler, as in a terminal: a process started in the background (nohup, `&`) ignores SIGINT
    outside = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with InterruptFlag() as flag:
            os.kill(os.getpid(), signal.SIGINT)
            assert flag.signalled == signal.SIGINT
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, outside)
