"""Every script, given bad input: one line on stderr naming what was wrong, exit status 2, no traceback, and
nothing created or changed on disk. Every case runs in process (``main(argv)`` from an empty folder); one case per
script also runs as a real process, two at a time, to check the exit status and stderr of the command itself."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from tests.scripts.script_runner import ENV, SCRIPTS, load_script

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


def arguments(name: str, finished: Path) -> tuple[str, list[str]]:
    script, args, _ = CASES[name]
    return script, [arg.replace(FINISHED, str(finished)) for arg in args]


def run_process(name: str, root: Path, finished: Path) -> tuple[int, str, bool]:
    """Run one case as a process from an empty folder of its own: exit status, stderr, and whether the folder and
    the finished run are unchanged afterwards."""
    script, args = arguments(name, finished)
    folder = root / name
    folder.mkdir()
    before = tree(folder), tree(finished)
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / f"{script}.py"), *args],
        cwd=folder, env=ENV, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    return done.returncode, done.stderr, (tree(folder), tree(finished)) == before


def check(outcome: tuple[int | str | None, str, bool], name: str) -> None:
    status, stderr, unchanged = outcome
    assert status == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1, stderr  # one line
    assert CASES[name][2] in stderr
    assert unchanged, "the script created or changed files"


PROCESS_CASES = [name for name in CASES if name.endswith("-bad-flag")]  # one per script


@pytest.fixture(scope="module")
def process_outcomes(tmp_path_factory, finished_run):
    root = tmp_path_factory.mktemp("user_errors")
    with ThreadPoolExecutor(max_workers=2) as pool:  # the processes mostly wait for imports
        results = pool.map(lambda name: run_process(name, root, finished_run), PROCESS_CASES)
        return dict(zip(PROCESS_CASES, results, strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_2(name, finished_run, tmp_path, monkeypatch, capsys):
    if NO_CUDA is False and name in CUDA_CASES:
        pytest.skip("this machine has CUDA")
    script, args = arguments(name, finished_run)
    main = load_script(script).main
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path), tree(finished_run)
    try:
        status = main(args)
    except SystemExit as exit_:  # argparse's errors exit rather than return
        status = exit_.code
    stderr = capsys.readouterr().err
    check((status, stderr, (tree(tmp_path), tree(finished_run)) == before), name)


@pytest.mark.parametrize("name", PROCESS_CASES)
def test_bad_input_as_a_process(name, process_outcomes):
    check(process_outcomes[name], name)
