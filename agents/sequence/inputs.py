"""Input forms the estimators accept, turned into padded arrays: sequences, series and forecasting windows."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import issparse

from envs.datasets import Sequences


def as_sequences(X: Sequences, feature_shape: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Any accepted ``X`` -> zero-padded float32 (N, T_max, *feature_shape) and int64 lengths (N,).

    A 2-D array is read as N univariate sequences; list items may be (T_i,) or (T_i, F). ``feature_shape`` is the
    per-step shape seen at fit time: a mismatch raises ``ValueError``, as do NaN/inf values and empty sequences.
    """
    if issparse(X):
        raise TypeError("X is a sparse matrix: sparse input is not supported, pass a dense (N, T, F) array")
    if not isinstance(X, (list, tuple)):
        array = _real(X)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim < 3 or array.shape[0] == 0 or array.shape[1] == 0:
            hint = ". Reshape your data: x[None] is one sequence" if array.ndim < 2 else ""
            raise ValueError(f"X must be (N, T, F), (N, T) or a list of (T_i, F) arrays, got shape {np.shape(X)}{hint}")
        lengths = np.full(array.shape[0], array.shape[1], dtype=np.int64)
    else:
        items = [_real(x) for x in X]
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


def _real(x: Any) -> np.ndarray:
    """``x`` as float32; complex values raise rather than lose their imaginary part with only a warning."""
    array = np.asarray(x)
    if np.iscomplexobj(array):
        raise ValueError(f"Complex data not supported: X has dtype {array.dtype}, expected real numbers")
    return array.astype(np.float32, copy=False)


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


def standardize(array: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std over the real steps of a padded (N, T, F) array (std 1 for constant channels).

    Frames (N, T, C, H, W) get one mean and std per colour channel over all pixels, (C, 1, 1): scaling each pixel on
    its own would blow up pixels that are almost always dark.
    """
    real = array[np.arange(array.shape[1])[None, :] < lengths[:, None]]  # (sum T_i, F) or (sum T_i, C, H, W)
    axes = (0, 2, 3) if real.ndim == 4 else (0,)
    mean, std = real.mean(axes), real.std(axes)
    if real.ndim == 4:
        mean, std = mean[:, None, None], std[:, None, None]  # (C, 1, 1)
    return mean.astype(np.float32), np.where(std > 1e-8, std, 1.0).astype(np.float32)


def normalize_series(array: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z-normalise each sequence's channels over its own real steps: (N, T, F) -> same shape, padding zeroed.

    Returns the normalised array and each sequence's mean and std, (N, F) each (std 1 for a constant channel), so
    that ``normalized * std[:, None] + mean[:, None]`` restores the real steps.
    """
    real = (np.arange(array.shape[1])[None, :] < lengths[:, None])[:, :, None]  # (N, T, 1)
    count = lengths.astype(np.float64)[:, None]  # (N, 1)
    mean = np.where(real, array, 0.0).sum(1, dtype=np.float64) / count  # (N, F)
    var = np.where(real, (array - mean[:, None]) ** 2, 0.0).sum(1, dtype=np.float64) / count
    std = np.sqrt(var)
    std = np.where(std > 1e-8, std, 1.0)
    normalized = np.where(real, (array - mean[:, None]) / std[:, None], 0.0).astype(np.float32)
    return normalized, mean.astype(np.float32), std.astype(np.float32)


def scale_spread(array: np.ndarray, lengths: np.ndarray) -> float:
    """How much the sequences' scales differ: the std over sequences of log10(each sequence's std), median channel.

    0 for sets normalised per sequence already (UCR's univariate sets); above 1 when scales typically differ by
    more than tenfold, as raw sensor readings of devices of very different power do. Constant channels of a
    sequence (std 0) are left out; a channel constant in every sequence counts 0. (N, T, F) -> float.
    """
    _, _, std = normalize_series(array, lengths)
    real = (np.arange(array.shape[1])[None, :] < lengths[:, None])[:, :, None]  # (N, T, 1)
    span = np.where(real, array, np.inf).min(1), np.where(real, array, -np.inf).max(1)  # (N, F) each
    varies = span[1] > span[0]  # (N, F): constant channels have std 1 from normalize_series, not 0
    spreads = [np.log10(std[varies[:, f], f]).std() if varies[:, f].sum() > 1 else 0.0 for f in range(std.shape[1])]
    return float(np.median(spreads))


def pad_targets(y: Any, lengths: np.ndarray, fill: Any) -> np.ndarray:
    """Per-step targets (list of (T_i, ...) or array (N, T, ...)) -> (N, T_max, ...) padded with ``fill``."""
    items = [np.asarray(t) for t in y]
    if len(items) != len(lengths):
        raise ValueError(f"y has {len(items)} label sequences but X has {len(lengths)} sequences")
    for i, (t, length) in enumerate(zip(items, lengths, strict=True)):
        if len(t) != length:
            raise ValueError(f"y[{i}] has {len(t)} labels but X[{i}] has {length} steps")
    out = np.full((len(items), int(lengths.max()), *items[0].shape[1:]), fill, dtype=np.result_type(items[0], fill))
    for i, t in enumerate(items):
        out[i, : len(t)] = t
    return out
