"""scripts/probe.py end to end in a subprocess on a tiny trained T-maze run; bad input."""

from __future__ import annotations

import subprocess

import pytest

from agents.experiment.config import resolve_config
from agents.experiment.run_dir import create_run_dir
from agents.experiment.training import train
from tests.scripts.script_runner import run_script

TINY = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "hidden_size": 8, "net_arch": [8]}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A finished run of a GRU agent on the T-maze, 128 steps."""
    overrides = {**TINY, "timesteps": 128, "eval_freq": 0, "eval_episodes": 2}
    config = resolve_config("pomdp/TMaze-v0", overrides=overrides)
    return train(config, create_run_dir(tmp_path_factory.mktemp("probe") / "run")).run_dir


def probe(*args: str) -> subprocess.CompletedProcess:
    return run_script("probe", *args)


def test_probe_reads_the_cue_and_prints_the_table(run_dir):
    done = probe(str(run_dir), "--episodes", "8")
    assert done.returncode == 0, done.stderr
    assert "target cue" in done.stdout
    rows = {
        line.split("|")[1].strip(): float(line.split("|")[2])
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith(("| linear probe", "| ---"))
    }
    assert set(rows) == {"agent's memory (observations so far)", "memory cut (current observation)", "majority class"}
    assert all(0.0 <= score <= 1.0 for score in rows.values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing_run"], "No model or run directory 'missing_run'"),
        (["{run}", "--targets", "nope"], "Unknown targets ['nope']"),
        (["{run}", "--episodes", "1"], "leaves no episode to"),
    ],
)
def test_bad_input_is_a_clear_error(run_dir, args, message):
    done = probe(*(arg.format(run=run_dir) for arg in args))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
