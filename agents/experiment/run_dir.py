"""Run directories: layout, checkpoints, what ``--resume`` accepts, loading a saved model, and Ctrl-C handling.

A run directory holds::

    config.yaml            the fully resolved RunConfig
    checkpoints/           step_<N>.zip (+ step_<N>.vecnormalize.pkl) and step_<N>.json, written last
    tb_1/                  TensorBoard events
    <i>.monitor.csv        SB3's Monitor file of training env i: one row per episode (r, l, t)
    vector.monitor.csv     instead, SB3's VecMonitor file of an array env (the episodes of all its envs)
    evaluations.npz        SB3's EvalCallback file: timesteps, results, ep_lengths of every evaluation
    evaluations.csv        one row per evaluation during training (means, success rate, training time)
    best_model.zip         the model of the best evaluation so far (SB3's EvalCallback)
    model.zip              the final model (+ vecnormalize.pkl)
    results.json           the final evaluation
    README.md              a model card: task, agent, settings, results, how to load and evaluate

so rl-zoo3's plotting scripts (``load_results``, ``numpy.load("evaluations.npz")``) read it as one of theirs.
Checkpoints and the files they point to are written to a temporary name and renamed, so an interrupted save never
leaves a truncated checkpoint; a checkpoint records the size of each monitor file, so a resumed run cuts them back
to that point and continues them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

import yaml
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.save_util import load_from_zip_file

from agents.experiment.builders import model_class
from agents.experiment.config import AGENTS, RunConfig, config_from_dict, config_to_dict
from agents.experiment.errors import ConfigError

RUNS_ROOT = Path("runs")
CONFIG_FILE = "config.yaml"
CHECKPOINT_DIR = "checkpoints"
EVALUATIONS_FILE = "evaluations.csv"
MODEL_FILE = "model.zip"
NORMALIZE_FILE = "vecnormalize.pkl"
RESULTS_FILE = "results.json"
NPZ_FILE = "evaluations.npz"  # SB3's EvalCallback
BEST_MODEL_FILE = "best_model.zip"  # SB3's EvalCallback
MONITOR_SUFFIX = ".monitor.csv"  # SB3's Monitor: <rank>.monitor.csv
MODEL_CARD_FILE = "README.md"
EVALUATION_FIELDS = ("step", "train_time", "mean_return", "std_return", "mean_length", "success_rate", "episodes")
"""Columns of evaluations.csv."""


class Checkpoint(NamedTuple):
    """A complete checkpoint: model, VecNormalize statistics (if used), step count and training wall time."""

    model: Path
    normalize: Path | None
    step: int
    train_time: float
    monitor_bytes: dict[str, int] | None = None  # size of each monitor file when it was saved


def default_run_dir(config: RunConfig, root: str | Path = RUNS_ROOT) -> Path:
    """``runs/<env>/<algo>_<cell>_s<seed>_<timestamp>``, e.g. runs/pomdp/CartPoleNoVel-v0/ppo_gru_s0_20250101-120000."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(root) / config.env / f"{config.agent}_s{config.seed}_{stamp}"


def check_new_run_dir(path: str | Path) -> Path:
    """``path`` if a new run may go there: an existing non-empty directory is never reused silently."""
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FileExistsError(
            f"Run directory {str(path)!r} already exists: choose another --run-dir, or continue it with --resume {path}"
        )
    return path


@contextmanager
def staging_dir(path: str | Path) -> Iterator[Path]:
    """A temporary sibling of the new run directory ``path``, renamed into place when the block ends without error
    and removed otherwise, so the run directory appears whole or not at all. Files left open inside (the training
    envs' monitor files) keep being written after the rename."""
    path = check_new_run_dir(path)
    missing = [folder for folder in path.parents if not folder.exists()]  # deepest first
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp.{path.name}.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    done = False
    try:
        tmp.mkdir()
        yield tmp
        if path.is_dir():
            path.rmdir()  # empty, as checked
        os.replace(tmp, path)
        done = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in [] if done else missing:  # leave no empty runs/<env>/ behind
            try:
                folder.rmdir()
            except OSError:
                break


def init_run_dir(folder: Path, config: RunConfig, model: BaseAlgorithm) -> Checkpoint:
    """Write config.yaml and a step-0 checkpoint of the freshly built ``model`` into ``folder``."""
    write_config(folder, config)
    return save_checkpoint(model, folder, train_time=0.0)


def create_run_dir(path: str | Path, config: RunConfig, model: BaseAlgorithm) -> Checkpoint:
    """Make the run directory with config.yaml and a step-0 checkpoint of the freshly built ``model``.

    It is assembled in a temporary sibling and renamed into place, so it appears whole or not at all: a run
    stopped at any moment leaves either nothing or a directory that ``--resume`` accepts.
    """
    with staging_dir(path) as tmp:
        init_run_dir(tmp, config, model)
    return list_checkpoints(Path(path))[-1]


def check_resumable(config: RunConfig, checkpoint: Checkpoint) -> None:
    """Raise a ConfigError when the checkpoint is already at (or past) the run's total steps."""
    if checkpoint.step >= config.timesteps:
        raise ConfigError(
            f"The run is already at step {checkpoint.step} (timesteps={config.timesteps}): "
            f"pass --timesteps > {checkpoint.step} to continue it"
        )


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` and rename ``tmp`` to ``path``, so readers never see half a file."""
    tmp = path.with_name(f".tmp.{path.name}")
    write(tmp)
    os.replace(tmp, path)
    return path


def write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text))


def write_config(run_dir: Path, config: RunConfig) -> Path:
    return write_text(run_dir / CONFIG_FILE, yaml.safe_dump(config_to_dict(config), sort_keys=False))


def read_config(run_dir: Path) -> RunConfig:
    """The config.yaml of a run directory, type-checked."""
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{str(run_dir)!r} is not a run directory: it has no {CONFIG_FILE}")
    return config_from_dict(yaml.safe_load(path.read_text()) or {}, str(path))


def save_checkpoint(model: BaseAlgorithm, run_dir: Path, train_time: float) -> Checkpoint:
    """Save model (with optimizer state and step count), VecNormalize statistics and the metadata, in that order."""
    folder = run_dir / CHECKPOINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"step_{model.num_timesteps:09d}"
    model_path = atomic_write(folder / f"{stem}.zip", lambda tmp: model.save(tmp))
    normalize = model.get_vec_normalize_env()
    normalize_path = None
    if normalize is not None:
        normalize_path = atomic_write(folder / f"{stem}.vecnormalize.pkl", lambda tmp: normalize.save(str(tmp)))
    monitors = {path.name: path.stat().st_size for path in sorted(run_dir.glob(f"*{MONITOR_SUFFIX}"))}
    meta = {
        "step": model.num_timesteps,
        "train_time": train_time,
        "normalize": normalize_path is not None,
        "monitor_bytes": monitors,
    }
    write_text(folder / f"{stem}.json", json.dumps(meta))
    return Checkpoint(model_path, normalize_path, model.num_timesteps, train_time, monitors)


def truncate_monitors(run_dir: Path, checkpoint: Checkpoint) -> None:
    """Cut each monitor file back to its size at ``checkpoint``: a resumed run replays the episodes after it.

    The files are cut in place (not replaced), so a Monitor that already holds one open for appending writes on
    after the cut.
    """
    for name, size in (checkpoint.monitor_bytes or {}).items():
        path = run_dir / name
        if path.is_file() and path.stat().st_size > size:
            os.truncate(path, size)


def monitor_start_times(run_dir: Path) -> dict[int, float]:
    """``t_start`` from the header of each ``<rank>.monitor.csv``, by rank: a resumed Monitor keeps counting from it."""
    starts = {}
    for path in run_dir.glob(f"*{MONITOR_SUFFIX}"):
        rank = path.name.removesuffix(MONITOR_SUFFIX)
        with path.open() as file:
            first = file.readline()
        if rank.isdigit() and first.startswith("#"):
            starts[int(rank)] = float(json.loads(first[1:])["t_start"])
    return starts


def _read_checkpoint(model_path: Path) -> Checkpoint:
    """The checkpoint whose model is ``model_path``; its metadata file says it was completely written."""
    meta_path = model_path.with_suffix(".json")
    if not meta_path.is_file():
        raise ValueError(f"{str(model_path)!r} is not a complete checkpoint: {meta_path.name} is missing")
    meta = json.loads(meta_path.read_text())
    normalize = model_path.with_suffix(".vecnormalize.pkl") if meta["normalize"] else None
    return Checkpoint(model_path, normalize, int(meta["step"]), float(meta["train_time"]), meta.get("monitor_bytes"))


def list_checkpoints(run_dir: Path) -> list[Checkpoint]:
    """Complete checkpoints of a run, oldest first."""
    paths = sorted((run_dir / CHECKPOINT_DIR).glob("step_*.zip"))
    return [_read_checkpoint(p) for p in paths if not p.name.startswith(".") and p.with_suffix(".json").is_file()]


def find_resume(path: str | Path) -> tuple[Path, RunConfig, Checkpoint]:
    """Run directory, config and checkpoint that ``--resume PATH`` names: a run directory (its latest checkpoint)
    or a checkpoint file inside one. Raises before anything is written if the checkpoint is missing, truncated or
    from another run."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Cannot resume: {str(path)!r} does not exist")
    if path.is_dir():
        run_dir = path
        checkpoints = list_checkpoints(run_dir) if (run_dir / CONFIG_FILE).is_file() else []
        if not checkpoints:
            raise FileNotFoundError(f"Cannot resume: {str(path)!r} is not a run directory with checkpoints")
        checkpoint = checkpoints[-1]
    else:
        run_dir = path.parent.parent if path.parent.name == CHECKPOINT_DIR else path.parent
        if not (run_dir / CONFIG_FILE).is_file():
            raise ValueError(f"Cannot resume from {str(path)!r}: it is not a checkpoint inside a run directory")
        checkpoint = _read_checkpoint(path)
    config = read_config(run_dir)
    check_model_file(checkpoint.model, config)
    if config.hyperparams.normalize and (checkpoint.normalize is None or not checkpoint.normalize.is_file()):
        raise ValueError(f"Cannot resume from {checkpoint.model}: its VecNormalize statistics are missing")
    return run_dir, config, checkpoint


def same_class(found: Any, expected: Any) -> bool:
    """Whether a class read from a model file is ``expected``: the policy aliases are made with ``type()``, so a
    loaded one may be an equal copy rather than the same object."""
    name = (getattr(found, "__module__", None), getattr(found, "__qualname__", None))
    return found is expected or name == (expected.__module__, expected.__qualname__)


def check_model_file(path: Path, config: RunConfig) -> None:
    """Raise a ValueError unless ``path`` is a complete SB3 model of the algorithm and policy of ``config``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names, bad = archive.namelist(), archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{str(path)!r} is not a saved model, or truncated: {error}") from error
    if bad is not None:
        raise ValueError(f"{str(path)!r} is truncated or corrupt: {bad} fails its checksum")
    if "data" not in names:
        raise ValueError(f"{str(path)!r} is not a stable-baselines3 model (or it is truncated): no 'data' entry")
    try:
        data, _, _ = load_from_zip_file(path, device="cpu")
    except (ValueError, RuntimeError, KeyError, EOFError, OSError) as error:
        raise ValueError(f"{str(path)!r} is truncated or corrupt: {error}") from error
    if not data or "policy_class" not in data:
        raise ValueError(f"{str(path)!r} is not a stable-baselines3 model: it names no policy class")
    cls = model_class(config)
    expected = cls.policy_aliases.get(config.policy)
    found = data["policy_class"]
    if expected is None or not same_class(found, expected):
        raise ValueError(
            f"{str(path)!r} holds a {getattr(found, '__name__', found)} policy, but this run trains "
            f"{config.policy} with {cls.__module__}.{cls.__name__}: it comes from another run"
        )


def detect_config(path: Path, env_id: str) -> RunConfig:
    """Config of a model saved outside a run directory: algorithm and policy read from the file."""
    data, _, _ = load_from_zip_file(path, device="cpu")
    if not data or "policy_class" not in data:
        raise ValueError(f"{str(path)!r} is not a stable-baselines3 model")
    found = data["policy_class"]
    for algo, policy, _ in AGENTS.values():
        config = RunConfig(env=env_id, algo=algo, policy=policy)
        if same_class(found, model_class(config).policy_aliases.get(policy)):
            return config
    raise ValueError(f"{str(path)!r} holds a {found!r} policy, which no agent of this package trains")


class LoadedModel(NamedTuple):
    """A saved model with the config it was trained with and its VecNormalize statistics (if any)."""

    model: BaseAlgorithm
    config: RunConfig
    normalize: Path | None


def load_model(path: str | Path, env_id: str | None = None, device: str = "cpu") -> LoadedModel:
    """Load a run directory (its final model, else its latest checkpoint), a model file in one, or a bare model file
    (then ``env_id`` is required)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No model or run directory {str(path)!r}")
    if path.is_dir():
        if not (path / CONFIG_FILE).is_file():
            raise FileNotFoundError(f"{str(path)!r} is not a run directory: it has no {CONFIG_FILE}")
        if (path / MODEL_FILE).is_file():
            path = path / MODEL_FILE
        else:
            checkpoints = list_checkpoints(path)
            if not checkpoints:
                raise FileNotFoundError(f"Run directory {str(path)!r} has no model.zip and no checkpoint yet")
            path = checkpoints[-1].model
    run_dir = path.parent.parent if path.parent.name == CHECKPOINT_DIR else path.parent
    if (run_dir / CONFIG_FILE).is_file():
        config = read_config(run_dir)
        if path.parent.name == CHECKPOINT_DIR:
            normalize = _read_checkpoint(path).normalize
        else:
            normalize = path.with_name(NORMALIZE_FILE) if path.with_name(NORMALIZE_FILE).is_file() else None
    elif env_id is None:
        raise ValueError(f"{str(path)!r} is not inside a run directory: pass --env to say which env it plays")
    else:
        config, normalize = detect_config(path, env_id), None
    check_model_file(path, config)
    return LoadedModel(model_class(config).load(path, device=device), config, normalize)


class InterruptFlag:
    """Turns the first SIGINT (Ctrl-C) or SIGTERM into a flag that training polls, so that it can save and exit;
    a second signal raises KeyboardInterrupt as usual. Use as a context manager, in the main thread."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signalled: int | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signalled is not None:
            raise KeyboardInterrupt
        self.signalled = signum

    def __enter__(self) -> InterruptFlag:
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
