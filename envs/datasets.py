"""Sequence data for the heads: synthetic tasks that need memory, and real sets shipped inside PyPI packages.

Real data loads offline from optional extras: ItalyPowerDemand, JapaneseVowels and Airline from sktime's wheel
(``pip install 'recurrent-agents[data]'``), yearly sunspots from statsmodels (``[baselines]``). Standard splits:
the UCR/UEA train/test files, Airline's last 36 months and sunspots' 1988-2008 held out.

Example:
    >>> data = load_dataset("parity", n_train=64, n_test=16)
    >>> len(data.X_train), data.y_train.shape, data.task
    (64, (64,), 'classification')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, Literal, NamedTuple, TypeAlias

import numpy as np

Sequences: TypeAlias = np.ndarray | list[np.ndarray]
Task: TypeAlias = Literal["classification", "regression"]


class SequenceData(NamedTuple):
    """A sequence classification or regression set: ``X`` is (N, T, F) or a list of (T_i, F) arrays."""

    name: str
    X_train: Sequences
    y_train: np.ndarray
    X_test: Sequences
    y_test: np.ndarray
    task: Task = "classification"


class SeriesData(NamedTuple):
    """A forecasting set: one series split at a fixed origin; ``season`` is the seasonal period (1: none)."""

    name: str
    train: np.ndarray  # (T,) or (T, F)
    test: np.ndarray  # (H,) or (H, F): the horizon to forecast from the end of train
    season: int = 1


def require_extra(module: str, extra: str, loader: str) -> ModuleType:
    """Import an optional dependency or say which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{loader} needs the optional package {module!r}: pip install 'recurrent-agents[{extra}]'"
        ) from error


# Input forms accepted by the estimators.


def as_sequences(X: Sequences, feature_shape: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Any accepted ``X`` -> zero-padded float32 (N, T_max, *feature_shape) and int64 lengths (N,).

    A 2-D array is read as N univariate sequences; list items may be (T_i,) or (T_i, F). ``feature_shape`` is the
    per-step shape seen at fit time: a mismatch raises ``ValueError``, as do NaN/inf values and empty sequences.
    """
    if not isinstance(X, (list, tuple)):
        array = np.asarray(X, dtype=np.float32)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim < 3 or array.shape[0] == 0 or array.shape[1] == 0:
            raise ValueError(f"X must be (N, T, F), (N, T) or a list of (T_i, F) arrays, got shape {array.shape}")
        lengths = np.full(array.shape[0], array.shape[1], dtype=np.int64)
    else:
        items = [np.asarray(x, dtype=np.float32) for x in X]
        items = [x[:, None] if x.ndim == 1 else x for x in items]
        if not items or any(x.shape[0] == 0 for x in items):
            raise ValueError("X must hold at least one sequence, and no sequence may be empty")
        shapes = {x.shape[1:] for x in items}
        if len(shapes) > 1:
            raise ValueError(f"All sequences in X must have the same per-step shape, got {sorted(shapes)}")
        lengths = np.array([x.shape[0] for x in items], dtype=np.int64)
        array = np.zeros((len(items), int(lengths.max()), *items[0].shape[1:]), dtype=np.float32)
        for i, x in enumerate(items):
            array[i, : len(x)] = x
    if not np.isfinite(array).all():
        raise ValueError("X contains NaN or infinite values")
    if feature_shape is not None and array.shape[2:] != tuple(feature_shape):
        raise ValueError(f"X has per-step shape {array.shape[2:]} (features); fitted on {feature_shape}")
    return array, lengths


def as_series(series: Any, name: str = "series") -> tuple[list[np.ndarray], bool]:
    """One series (T,) / (T, F) or a list of them -> list of float64 (T_s, F) arrays, and whether a list was given."""
    is_list = isinstance(series, (list, tuple))
    items = [np.asarray(s, dtype=np.float64) for s in (series if is_list else [series])]
    items = [s[:, None] if s.ndim == 1 else s for s in items]
    if not items or any(s.ndim != 2 or len(s) == 0 for s in items):
        raise ValueError(f"{name} must be a non-empty (T,) or (T, F) array, or a list of them")
    if len({s.shape[1] for s in items}) > 1:
        raise ValueError(f"All {name} must have the same number of channels, got {[s.shape[1] for s in items]}")
    if not all(np.isfinite(s).all() for s in items):
        raise ValueError(f"{name} contains NaN or infinite values")
    return items, is_list


def sliding_windows(s: np.ndarray, c: np.ndarray, L: int, H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every window of a scaled series: inputs (N, L, F+C), targets (N, H, F), future covariates (N, H, C)."""
    n = len(s) - L - H + 1
    if n < 1:
        return (
            np.zeros((0, L, s.shape[1] + c.shape[1]), np.float32),
            np.zeros((0, H, s.shape[1]), np.float32),
            np.zeros((0, H, c.shape[1]), np.float32),
        )
    starts = np.arange(n)[:, None]
    past, future = starts + np.arange(L), starts + L + np.arange(H)  # (N, L), (N, H)
    return np.concatenate([s[past], c[past]], axis=-1), s[future], c[future]


# Synthetic tasks that need memory.


def adding_problem(n_train: int = 10_000, n_test: int = 1_000, T: int = 100, seed: int = 0) -> SequenceData:
    """Hochreiter & Schmidhuber's adding problem: sum the two values marked among T uniform ones (regression).

    Each step is (value ~ U(0, 1), marker); one marker falls in each half. Predicting the mean, 1, scores MSE 1/6.
    """
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    X = np.zeros((n, T, 2), dtype=np.float32)
    X[:, :, 0] = rng.uniform(0, 1, (n, T))
    first, second = rng.integers(0, T // 2, n), rng.integers(T // 2, T, n)
    rows = np.arange(n)
    X[rows, first, 1] = X[rows, second, 1] = 1.0
    y = (X[rows, first, 0] + X[rows, second, 0]).astype(np.float32)
    return SequenceData(f"adding_T{T}", X[:n_train], y[:n_train], X[n_train:], y[n_train:], "regression")


def parity(n_train: int = 2_000, n_test: int = 500, T: int = 20, seed: int = 0) -> SequenceData:
    """Parity of a bit stream of variable length in [T // 2, T]: one wrong bit anywhere flips the label."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(max(T // 2, 1), T + 1, n_train + n_test)
    X = [rng.integers(0, 2, (length, 1)).astype(np.float32) for length in lengths]
    y = np.array([int(x.sum()) % 2 for x in X])
    return SequenceData(f"parity_T{T}", X[:n_train], y[:n_train], X[n_train:], y[n_train:])


def noisy_sines(length: int = 600, horizon: int = 24, noise: float = 0.1, seed: int = 0) -> SeriesData:
    """Sines with periods 12 and 31, a slow drift and Gaussian noise; the last ``horizon`` steps are held out."""
    rng = np.random.default_rng(seed)
    t = np.arange(length + horizon, dtype=np.float64)
    phases = rng.uniform(0, 2 * np.pi, 3)
    y = np.sin(2 * np.pi * t / 12 + phases[0]) + 0.6 * np.sin(2 * np.pi * t / 31 + phases[1])
    y += 0.3 * np.sin(2 * np.pi * t / 200 + phases[2]) + noise * rng.standard_normal(t.size)
    return SeriesData("sines", y[:length], y[length:], season=12)


# Real data, shipped inside PyPI wheels.


def _nested_to_list(frame: Any) -> list[np.ndarray]:
    """sktime's nested DataFrame (one pd.Series per cell) -> list of (T_i, F) arrays."""
    return [np.stack([cell.to_numpy(np.float32) for cell in row], axis=1) for row in frame.itertuples(index=False)]


def load_italy_power_demand() -> SequenceData:
    """UCR ItalyPowerDemand: 24 hourly loads, 2 classes (Oct-Mar vs Apr-Sep), 67 train / 1029 test."""
    datasets = require_extra("sktime.datasets", "data", "load_italy_power_demand")
    splits = [
        datasets.load_italy_power_demand(split=s, return_X_y=True, return_type="numpy3D") for s in ("train", "test")
    ]
    (X_train, y_train), (X_test, y_test) = [(X.transpose(0, 2, 1).astype(np.float32), y.astype(int)) for X, y in splits]
    return SequenceData("italy_power_demand", X_train, y_train, X_test, y_test)


def load_japanese_vowels() -> SequenceData:
    """UEA JapaneseVowels: 12 LPC channels, variable length 7-29, 9 speakers, 270 train / 370 test."""
    datasets = require_extra("sktime.datasets", "data", "load_japanese_vowels")
    (X_train, y_train), (X_test, y_test) = [
        (_nested_to_list(X), y.astype(int))
        for X, y in (datasets.load_japanese_vowels(split=s) for s in ("train", "test"))
    ]
    return SequenceData("japanese_vowels", X_train, y_train, X_test, y_test)


def load_airline() -> SeriesData:
    """Box & Jenkins monthly airline passengers 1949-1960 (144 months), the last 36 held out."""
    datasets = require_extra("sktime.datasets", "data", "load_airline")
    y = datasets.load_airline().to_numpy(np.float64)
    return SeriesData("airline", y[:-36], y[-36:], season=12)


def load_sunspots() -> SeriesData:
    """Yearly sunspot numbers 1700-2008, 1988-2008 (21 years) held out; the solar cycle is about 11 years."""
    sunspots = require_extra("statsmodels.datasets.sunspots", "baselines", "load_sunspots")
    frame = sunspots.load_pandas().data
    y, years = frame["SUNACTIVITY"].to_numpy(np.float64), frame["YEAR"].to_numpy()
    return SeriesData("sunspots", y[years < 1988], y[years >= 1988], season=11)


# Episodes of a policy, labelled with the env's hidden state, to train probes of what the policy remembers.


class Trajectories(NamedTuple):
    """Complete episodes: what the policy was fed at each step, and the env's true state at that step."""

    observations: list[np.ndarray]  # per episode (T_i, *obs_shape), after any VecNormalize: the policy's input
    states: list[np.ndarray]  # per episode (T_i, S): ``env.unwrapped.get_state()`` when that observation was made
    actions: list[np.ndarray]  # per episode (T_i, *action_shape)
    returns: np.ndarray  # (n_episodes,) undiscounted returns, in the rewards the VecEnv reports


def collect_trajectories(model: Any, env: Any, n_episodes: int, deterministic: bool = True) -> Trajectories:
    """Play ``n_episodes`` complete episodes with a recurrent policy in a VecEnv whose envs have ``get_state()``.

    ``model`` is anything with sb3-contrib's ``predict(obs, state, episode_start, deterministic)`` (RecurrentPPO).
    With several envs the episodes are taken in the order they finish (shorter ones slightly favoured); use one env
    for an unbiased sample. The final observation of an episode, which the policy never acts on, is left out.
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be >= 1, got {n_episodes}")
    obs = env.reset()
    memory, starts = None, np.ones(env.num_envs, dtype=bool)
    running: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(env.num_envs)]
    totals = np.zeros(env.num_envs)
    episodes, returns = [], []
    while len(episodes) < n_episodes:
        hidden = np.stack(env.env_method("get_state"))  # (n_envs, S)
        actions, memory = model.predict(obs, state=memory, episode_start=starts, deterministic=deterministic)
        for i, steps in enumerate(running):
            steps.append((obs[i], hidden[i], actions[i]))
        obs, rewards, starts, _ = env.step(actions)
        totals += rewards
        for i in np.flatnonzero(starts):
            episodes.append(running[i])
            returns.append(totals[i])
            running[i], totals[i] = [], 0.0
    kept = episodes[:n_episodes]
    observations, states, actions = ([np.stack([step[k] for step in e]) for e in kept] for k in range(3))
    return Trajectories(observations, states, actions, np.array(returns[:n_episodes]))


CLASSIFICATION: dict[str, Callable[..., SequenceData]] = {
    "italy_power_demand": load_italy_power_demand,
    "japanese_vowels": load_japanese_vowels,
    "parity": parity,
    "adding": adding_problem,
}
FORECASTING: dict[str, Callable[..., SeriesData]] = {
    "airline": load_airline,
    "sunspots": load_sunspots,
    "sines": noisy_sines,
}


def load_dataset(name: str, **kwargs: Any) -> SequenceData | SeriesData:
    """Load a named set from :data:`CLASSIFICATION` or :data:`FORECASTING`; ``kwargs`` go to synthetic generators."""
    loaders = {**CLASSIFICATION, **FORECASTING}
    if name not in loaders:
        raise ValueError(f"Unknown data set {name!r}: expected one of {', '.join(map(repr, loaders))}")
    return loaders[name](**kwargs)
