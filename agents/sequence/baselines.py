"""Classical baselines shown beside the recurrent heads by scripts/classify.py, forecast.py and probe.py.

Majority class and 1-NN (Euclidean) for classification; logistic regression on one frame or on the mean frame for
video (what a model that ignores the order of the frames can do); naive, seasonal naive, direct linear AR (ridge) and
statsmodels' ARIMA (extra ``[baselines]``) for forecasting.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.sequence.inputs import as_sequences
from envs.datasets import Sequences, require_extra


def ridge_direct(inputs: np.ndarray, targets: np.ndarray, ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression of (N, H) targets on (N, L) inputs with an unpenalized intercept: weight (H, L), bias (H,)."""
    design = np.concatenate([inputs, np.ones((len(inputs), 1))], axis=1).astype(np.float64)
    L = inputs.shape[1]
    penalty = ridge * np.eye(L + 1)
    penalty[L, L] = 0.0
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ targets.astype(np.float64))  # (L+1, H)
    return solution[:L].T.astype(np.float32), solution[L].astype(np.float32)


def linear_forecast(history: np.ndarray, horizon: int, lookback: int = 24, ridge: float = 1.0) -> np.ndarray:
    """Direct linear AR forecast of a univariate series (what RecurrentForecaster's highway starts from).

    One ridge regression from every ``lookback`` window of the standardized history to the ``horizon`` steps after it.
    """
    history = np.asarray(history, np.float64)
    mean, std = history.mean(), history.std() or 1.0
    z = (history - mean) / std
    n = len(z) - lookback - horizon + 1
    if n < 1:
        raise ValueError(f"history of {len(z)} steps is too short for lookback + horizon = {lookback + horizon}")
    starts = np.arange(n)[:, None]
    weight, bias = ridge_direct(z[starts + np.arange(lookback)], z[starts + lookback + np.arange(horizon)], ridge)
    return (weight @ z[-lookback:] + bias) * std + mean


class MajorityClassifier:
    """Always predicts the most frequent training label: the floor every classifier must clear."""

    def fit(self, X: Sequences, y: Any) -> MajorityClassifier:
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        self.label_ = labels[np.argmax(counts)]
        return self

    def predict(self, X: Sequences) -> np.ndarray:
        return np.full(len(X), self.label_)

    def score(self, X: Sequences, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


class NearestNeighborClassifier:
    """1-nearest-neighbour under Euclidean distance, the classic UCR baseline, or under DTW (``metric="dtw"``).

    For Euclidean distance, sequences of different lengths are first resampled (linear interpolation) to the longest
    training length; DTW (:func:`dtw_distances`, no window) compares them as they are.
    """

    def __init__(self, metric: str = "euclidean") -> None:
        if metric not in ("euclidean", "dtw"):
            raise ValueError(f"metric={metric!r}: expected 'euclidean' or 'dtw'")
        self.metric = metric

    def fit(self, X: Sequences, y: Any) -> NearestNeighborClassifier:
        self.train_ = X
        array, lengths = as_sequences(X)
        self.length_ = int(lengths.max())
        self.X_, self.y_ = self._flatten(array, lengths), np.asarray(y)
        return self

    def _flatten(self, array: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        grid = np.linspace(0.0, 1.0, self.length_)
        rows = []
        for x, length in zip(array, lengths, strict=True):
            source = np.linspace(0.0, 1.0, length) if length > 1 else np.zeros(1)
            rows.append(np.stack([np.interp(grid, source, x[:length, f]) for f in range(x.shape[1])], axis=1))
        return np.stack(rows).reshape(len(rows), -1)  # (N, length * F)

    def predict(self, X: Sequences) -> np.ndarray:
        if self.metric == "dtw":
            return self.y_[np.argmin(dtw_distances(X, self.train_), axis=1)]
        flat = self._flatten(*as_sequences(X))
        distances = (flat**2).sum(1)[:, None] - 2 * flat @ self.X_.T + (self.X_**2).sum(1)[None, :]
        return self.y_[np.argmin(distances, axis=1)]

    def score(self, X: Sequences, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


FRAME_VIEWS: tuple[str, ...] = ("middle", "random", "mean")


class FrameClassifier:
    """Logistic regression on the pixels of one frame per clip, or of the clip's mean frame: an order-blind baseline.

    ``view``: ``"middle"`` (frame ``T_i // 2``), ``"random"`` (one real frame drawn per clip with ``random_state``)
    or ``"mean"`` (the average of the real frames). ``X`` is frames (N, T, C, H, W) or a list of (T_i, C, H, W).
    """

    def __init__(self, view: str = "middle", C: float = 1.0, random_state: int = 0) -> None:
        if view not in FRAME_VIEWS:
            raise ValueError(f"view={view!r}: expected one of {', '.join(map(repr, FRAME_VIEWS))}")
        self.view, self.C, self.random_state = view, C, random_state

    def _pixels(self, X: Sequences) -> np.ndarray:
        """(N, T, *frame) -> the viewed frame's pixels, (N, prod(frame))."""
        array, lengths = as_sequences(X)
        flat = array.reshape(*array.shape[:2], -1)  # (N, T, P)
        if self.view == "mean":
            real = np.arange(flat.shape[1])[None, :, None] < lengths[:, None, None]  # (N, T, 1)
            return (flat * real).sum(1) / lengths[:, None]
        rng = np.random.default_rng(self.random_state)
        index = lengths // 2 if self.view == "middle" else rng.integers(0, lengths)
        return flat[np.arange(len(lengths)), index]

    def fit(self, X: Sequences, y: Any) -> FrameClassifier:
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(C=self.C, max_iter=2_000).fit(self._pixels(X), np.asarray(y))
        return self

    def predict(self, X: Sequences) -> np.ndarray:
        return self.model_.predict(self._pixels(X))

    def score(self, X: Sequences, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


def dtw_distances(A: Sequences, B: Sequences, chunk: int = 4096) -> np.ndarray:
    """Dynamic time warping distance between every sequence of ``A`` and of ``B``, (N_A, N_B), with no window.

    Multivariate sequences warp all channels together (DTW_D, "dependent" warping): a step's cost is the squared
    Euclidean distance between the two steps' feature vectors, summed along the best monotone path from the first
    steps to the last ones. Lengths may differ. One dynamic programme runs for many pairs at once (``chunk`` at a
    time), so the cost is about max(T_A) * max(T_B) numpy operations per chunk.
    """
    a, a_lengths = as_sequences(A)
    b, b_lengths = as_sequences(B)
    grid_rows, grid_cols = np.meshgrid(np.arange(len(a_lengths)), np.arange(len(b_lengths)), indexing="ij")
    rows, cols = grid_rows.ravel(), grid_cols.ravel()  # every (a, b) pair
    out = np.empty(len(rows), dtype=np.float64)
    for begin in range(0, len(rows), chunk):
        i, j = rows[begin : begin + chunk], cols[begin : begin + chunk]
        out[begin : begin + chunk] = _dtw_pairs(a[i], a_lengths[i], b[j], b_lengths[j])
    return out.reshape(len(a_lengths), len(b_lengths))


def _dtw_pairs(x: np.ndarray, x_lengths: np.ndarray, y: np.ndarray, y_lengths: np.ndarray) -> np.ndarray:
    """DTW of pairs (x[p], y[p]): (P, T, F) and (P, U, F) padded -> (P,); row by row of the (T, U) cost table."""
    P, T, U = len(x), x.shape[1], y.shape[1]
    previous = np.full((P, U), np.inf)
    result = np.empty(P)
    for t in range(T):
        cost = ((x[:, t, None, :] - y) ** 2).sum(-1)  # (P, U)
        row = np.empty((P, U))
        row[:, 0] = cost[:, 0] + (previous[:, 0] if t else 0.0)
        for u in range(1, U):  # the path comes from the left, from below or diagonally
            best = np.minimum(np.minimum(row[:, u - 1], previous[:, u]), previous[:, u - 1])
            row[:, u] = cost[:, u] + best
        ends = x_lengths - 1 == t  # pairs whose x ends here read their y's last step
        result[ends] = row[ends, y_lengths[ends] - 1]
        previous = row
    return result


def naive_forecast(history: np.ndarray, horizon: int) -> np.ndarray:
    """Repeat the last value."""
    history = np.asarray(history, np.float64)
    return np.repeat(history[-1:], horizon, axis=0)


def seasonal_naive_forecast(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Repeat the last season: y[t + h] = y[t + h - season * k]."""
    history = np.asarray(history, np.float64)
    if season < 1 or season > len(history):
        raise ValueError(f"season must be in [1, len(history) = {len(history)}], got {season}")
    last = history[len(history) - season :]
    return np.concatenate([last] * (horizon // season + 1))[:horizon]


def arima_forecast(
    history: np.ndarray,
    horizon: int,
    order: tuple[int, int, int] = (1, 1, 1),
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> np.ndarray:
    """A (seasonal) ARIMA from statsmodels, fitted by maximum likelihood (extra ``[baselines]``)."""
    arima = require_extra("statsmodels.tsa.arima.model", "baselines", "arima_forecast")
    fitted = arima.ARIMA(np.asarray(history, np.float64), order=order, seasonal_order=seasonal_order).fit()
    return np.asarray(fitted.forecast(horizon))


class CharNGramLanguageModel:
    """Character n-gram language model with add-k smoothing, the classical baseline of the recurrent language model.

    P(c | the ``order - 1`` characters before it) = (count(context, c) + k) / (count(context) + k V), V being the
    training characters plus one for any unseen character; a document's first characters read begin-of-document
    padding. With ``order`` or ``k`` None, :meth:`fit` picks them on ``validation`` texts (bits per character) from
    orders 1 to ``max_order`` and :data:`K_GRID`; ``selection_`` keeps every (order, k, validation bpc) tried.
    """

    K_GRID: tuple[float, ...] = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
    BEGIN = "\x02"  # pads each document's start (a control character absent from ordinary text)

    def __init__(self, order: int | None = None, k: float | None = None, max_order: int = 10) -> None:
        if order is not None and (not isinstance(order, int) or order < 1):
            raise ValueError(f"order={order!r}: expected a positive integer or None")
        if k is not None and not k > 0:
            raise ValueError(f"k={k!r}: expected a number > 0 or None")
        self.order, self.k, self.max_order = order, k, max_order

    def fit(self, texts: list[str], validation: list[str] | None = None) -> CharNGramLanguageModel:
        """Count every n-gram of ``texts``; choose ``order`` and ``k`` on ``validation`` where they are None."""
        if (self.order is None or self.k is None) and validation is None:
            raise ValueError("order and k are chosen on validation texts: pass validation=, or set both")
        self.alphabet_ = set("".join(texts))
        orders = [self.order] if self.order is not None else list(range(1, self.max_order + 1))
        self.counts_ = {n: self._count(texts, n) for n in orders}
        self.selection_: list[tuple[int, float, float]] = []
        if validation is not None and (self.order is None or self.k is None):
            grid = [self.k] if self.k is not None else list(self.K_GRID)
            for n in orders:
                joint, context = self._lookup(validation, n)
                characters = sum(len(t) for t in validation)
                for k in grid:
                    self.selection_.append((n, k, self._bits(joint, context, k) / characters))
            self.order_, self.k_, _ = min(self.selection_, key=lambda row: row[2])
        else:
            self.order_, self.k_ = int(self.order), float(self.k)  # type: ignore[arg-type]
        self.counts_ = {self.order_: self.counts_[self.order_]}
        return self

    def _count(self, texts: list[str], n: int) -> tuple[dict[str, int], dict[str, int]]:
        """Counts of n-grams and of their (n-1)-character contexts, over documents padded at their start."""
        grams: dict[str, int] = {}
        for text in texts:
            padded = self.BEGIN * (n - 1) + text
            for i in range(len(text)):
                gram = padded[i : i + n]
                grams[gram] = grams.get(gram, 0) + 1
        contexts: dict[str, int] = {}
        for gram, count in grams.items():
            contexts[gram[:-1]] = contexts.get(gram[:-1], 0) + count
        return grams, contexts

    def _lookup(self, texts: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
        """count(context, c) and count(context) at every character of ``texts`` (float64 arrays)."""
        grams, contexts = self.counts_[n]
        joint, context = [], []
        for text in texts:
            padded = self.BEGIN * (n - 1) + text
            for i in range(len(text)):
                gram = padded[i : i + n]
                joint.append(grams.get(gram, 0))
                context.append(contexts.get(gram[:-1], 0))
        return np.array(joint, dtype=np.float64), np.array(context, dtype=np.float64)

    def _bits(self, joint: np.ndarray, context: np.ndarray, k: float) -> float:
        V = len(self.alphabet_) + 1
        return float(-np.log2((joint + k) / (context + k * V)).sum())

    def bits_per_char(self, texts: list[str]) -> float:
        """Total bits of ``texts`` under the model / their characters."""
        joint, context = self._lookup(texts, self.order_)
        return self._bits(joint, context, self.k_) / max(1, sum(len(t) for t in texts))


def char_ngram_classifier(C: float = 10.0) -> Any:
    """Bag of character n-grams (1 to 4, within word boundaries, TF-IDF) and logistic regression, a text pipeline."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
        LogisticRegression(C=C, max_iter=2_000),
    )
