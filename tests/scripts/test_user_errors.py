"""Every script, given bad input: one line on stderr naming what was wrong, exit status 2, no traceback, and
nothing created or changed on disk. Each case runs the script in a subprocess from an empty folder; the cases run
two at a time (they mostly wait for imports). More cases of each script run in process in test_<script>.py."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from tests.scripts.script_runner import ENV, SCRIPTS

NO_CUDA = not torch.cuda.is_available()
FINISHED = "{finished}"  # replaced by the finished run's path
CASES: dict[str, tuple[str, list[str], str]] = {
    # name: (script, arguments, expected part of the message)
    "train-bad-flag": ("train", ["--timesteps", "abc"], "argument --timesteps: expected an integer >= 1, got 'abc'"),
    "train-unknown-key": ("train", ["--set", "n_step=64"], "Unknown key 'n_step' in the overrides (did you mean"),
    "train-out-of-range": ("train", ["--set", "gamma=5"], "gamma=5: expected float in (0, 1]"),
    "train-nan": ("train", ["--set", "learning_rate=nan"], "learning_rate=nan: expected finite float > 0"),
    "train-chunks": ("train", ["--set", "sequence_length=7"], "sequence_length=7 must divide n_steps=32"),
    "train-cuda": ("train", ["--device", "cuda"], "CUDA is not available"),
    "train-missing-run": ("train", ["--resume", "missing_run"], "Cannot resume: 'missing_run' does not exist"),
    "train-finished-run": ("train", ["--resume", FINISHED], "already at step 128 (timesteps=128): pass --timesteps"),
    "evaluate-bad-flag": ("evaluate", [FINISHED, "--episodes", "0"], "argument --episodes: expected an integer >= 1"),
    "evaluate-unknown-flag": ("evaluate", [FINISHED, "--set", "x=1"], "unrecognized arguments: --set x=1"),
    "evaluate-cuda": ("evaluate", [FINISHED, "--device", "cuda"], "CUDA is not available"),
    "evaluate-missing-run": ("evaluate", ["missing_run"], "No model or run directory 'missing_run'"),
    "probe-bad-flag": ("probe", [FINISHED, "--episodes", "x"], "argument --episodes: expected an integer >= 1"),
    "probe-cuda": ("probe", [FINISHED, "--device", "cuda"], "CUDA is not available"),
    "probe-missing-run": ("probe", ["missing_run"], "No model or run directory 'missing_run'"),
    "probe-out-of-range": ("probe", [FINISHED, "--test-fraction", "2"], "--test-fraction must be in (0, 1), got 2.0"),
    "benchmark-bad-flag": ("benchmark", ["--workers", "0"], "argument --workers: expected an integer >= 1"),
    "benchmark-unknown-key": ("benchmark", ["--set", "n_step=3"], "Unknown key 'n_step' in the overrides"),
    "benchmark-out-of-range": ("benchmark", ["--set", "clip_range=-1"], "clip_range=-1: expected finite float > 0"),
    "benchmark-cuda": ("benchmark", ["--device", "cuda"], "CUDA is not available"),
    "classify-bad-flag": ("classify", ["--seeds", "0"], "argument --seeds: expected an integer >= 1, got '0'"),
    "classify-unknown-key": ("classify", ["--set", "hiden_size=8"], "Unknown key 'hiden_size' in the estimator's"),
    "classify-out-of-range": ("classify", ["--set", "lr=-1"], "lr=-1"),
    "classify-cuda": ("classify", ["--device", "cuda"], "CUDA is not available"),
    "forecast-bad-flag": ("forecast", ["--horizon", "-1"], "argument --horizon: expected an integer >= 1, got '-1'"),
    "forecast-unknown-key": ("forecast", ["--set", "lookbak=8"], "Unknown key 'lookbak' in the estimator's"),
    "forecast-cuda": ("forecast", ["--device", "cuda"], "CUDA is not available"),
    "bench_ppo-bad-flag": ("bench_ppo", ["--repeats", "0"], "argument --repeats: expected an integer >= 1"),
    "bench_ppo-unknown-key": ("bench_ppo", ["--set", "n_epoch=3"], "Unknown key 'n_epoch' in --set"),
    "bench_ppo-cuda": ("bench_ppo", ["--device", "cuda"], "CUDA is not available"),
    "bench_cores-bad-flag": ("bench_cores", ["--T", "0"], "argument --T: expected an integer >= 1, got '0'"),
    "bench_cores-unknown-flag": ("bench_cores", ["--set", "T=3"], "unrecognized arguments: --set T=3"),
    "bench_cores-cuda": ("bench_cores", ["--device", "cuda"], "CUDA is not available"),
}
CUDA_CASES = {name for name in CASES if name.endswith("-cuda")}


def tree(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*")}


def run_case(name: str, root: Path, finished: Path) -> tuple[subprocess.CompletedProcess, bool]:
    """Run one case from an empty folder of its own; also say whether the folder and the finished run are
    unchanged afterwards."""
    script, args, _ = CASES[name]
    folder = root / name
    folder.mkdir()
    args = [arg.replace(FINISHED, str(finished)) for arg in args]
    before = tree(folder), tree(finished)
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / f"{script}.py"), *args],
        cwd=folder, env=ENV, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    return done, (tree(folder), tree(finished)) == before


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, finished_run):
    root = tmp_path_factory.mktemp("user_errors")
    names = [name for name in CASES if NO_CUDA or name not in CUDA_CASES]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda name: run_case(name, root, finished_run), names)
        return dict(zip(names, results, strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_2(name, outcomes):
    if name not in outcomes:
        pytest.skip("this machine has CUDA")
    done, unchanged = outcomes[name]
    _, _, expected = CASES[name]
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr  # one line
    assert expected in done.stderr
    assert unchanged, "the script created or changed files"
