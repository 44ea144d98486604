"""scripts/evaluate.py end to end in a subprocess on a tiny trained run; GIF; bad input."""

from __future__ import annotations

import imageio.v3 as iio
import pytest

from agents.experiment.config import resolve_config
from agents.experiment.run_dir import create_run_dir
from agents.experiment.training import train
from tests.scripts.script_runner import load_script, run_script

TINY = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "hidden_size": 8, "net_arch": [8]}


evaluate_script = load_script("evaluate")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A finished run of a GRU agent on the T-maze, 128 steps, with VecNormalize."""
    overrides = {**TINY, "timesteps": 128, "eval_freq": 0, "eval_episodes": 2, "normalize": True}
    config = resolve_config("pomdp/TMaze-v0", overrides=overrides)
    return train(config, create_run_dir(tmp_path_factory.mktemp("eval") / "run")).run_dir


def test_evaluate_end_to_end_with_gif(run_dir, tmp_path):
    gif = tmp_path / "episode.gif"
    args = [str(run_dir), "--episodes", "4", "--gif", str(gif)]
    done = run_script("evaluate", *args, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "±" in done.stdout
    assert "success" in done.stdout
    frames = iio.imread(gif)
    assert frames.ndim == 4
    assert frames.shape[-1] == 3


def test_checkpoint_other_level_and_stochastic(run_dir, capsys):
    checkpoint = next((run_dir / "checkpoints").glob("step_*.zip"))
    args = [str(checkpoint), "--env", "pomdp/TMazeMedium-v0", "--episodes", "2", "--stochastic"]
    assert evaluate_script.main(args) == 0
    assert "TMazeMedium" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing_run"], "No model or run directory 'missing_run'"),
        (["{run}", "--env", "pomdp/RepeatFirst-v0"], "but the model was trained on"),
        (["{run}", "--env", "pomdp/TMzae-v0"], "Unknown env id 'pomdp/TMzae-v0'"),
        (["{run}", "--episodes", "0"], "--episodes must be >= 1"),
    ],
)
def test_bad_input_is_a_clear_error(run_dir, args, message, capsys):
    assert evaluate_script.main([arg.format(run=run_dir) for arg in args]) == 2
    assert message in capsys.readouterr().err
