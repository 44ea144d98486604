"""A finished tiny run that the script tests share (evaluate, probe, resume)."""

from __future__ import annotations

import pytest

from agents.experiment.config import resolve_config
from agents.experiment.training import run_training

TINY = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "hidden_size": 8, "net_arch": [8]}


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory):
    """A finished run of a GRU agent on the T-maze, 128 steps, with VecNormalize."""
    overrides = {**TINY, "timesteps": 128, "eval_freq": 0, "eval_episodes": 2, "normalize": True}
    config = resolve_config("pomdp/TMaze-v0", overrides=overrides)
    return run_training(config, tmp_path_factory.mktemp("finished") / "run").run_dir
