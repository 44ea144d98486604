"""``RecurrentClassifier``: one label per sequence (or per step) from an RNN, LSTM or GRU core."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from agents.sequence.estimator import SequenceEstimator
from agents.sequence.inputs import pad_targets
from envs.datasets import Sequences

IGNORE = -100  # label of padding steps in per-step targets (cross-entropy's ignore_index)


class RecurrentClassifier(ClassifierMixin, SequenceEstimator):
    """Sequence classifier (one label per sequence, or per step with ``per_step=True``) on an RNN, LSTM or GRU.

    Args: ``cell``, ``hidden_size``, ``num_layers``, ``dropout``, ``pooling``, ``per_step`` as in
    :class:`~policies.heads.SequenceClassifier`; ``bidirectional`` too, and ``"auto"`` (the default) adds the
    backward core only when the front end downsamples (long sequences); ``standardize`` scales each channel by its
    training mean and std;
    ``normalize``: ``"series_stats"`` z-normalises each sequence's channels over its own steps and adds its level
    (mean / std) and log-std as constant channels, ``"series"`` without them, ``"none"`` leaves the sequences as
    they are, and ``"auto"`` (the default) picks ``"series_stats"`` when the training sequences' scales differ by
    more than tenfold (:func:`~agents.sequence.inputs.scale_spread` above 1: raw readings of devices of very
    different power) and ``"none"`` otherwise (UCR's univariate sets come z-normalised per series, and per-series
    normalisation cost JapaneseVowels 0.03); never for ``per_step`` labels or a policy's observations;
    ``downsample_to``: sequences longer than this many steps go through a convolutional front end
    (:class:`~policies.downsample.ConvDownsample`, stride ``ceil(longest training length / downsample_to)``) before
    the core (None: never); ``downsample``: its form, ``"pool"`` (the default: a convolution at every step, then the
    maximum over each window) or ``"patch"`` (one strided convolution, cheaper); ``policy``/``freeze``: see
    :meth:`from_policy`; ``lr`` ... ``refit``: the :class:`TrainerConfig` fields of the same names, ``random_state``
    its ``seed``.

    The defaults were chosen on UCR/UEA sets of 24 to 1460 steps and 36 to 537 training sequences
    (``docs/classification.md``): a GRU of 64 units, bidirectional behind the pooled convolution, the plateau
    schedule, at least ``min_steps`` = 1000 gradient steps, a stratified validation split, then a refit on all data.

    ``X`` may also hold clips of frames, (N, T, C, H, W) or a list of (T_i, C, H, W): a CNN per frame
    (:mod:`policies.frames`) feeds the core; ``standardize`` then scales each colour channel over all pixels, and
    ``normalize``, ``downsample_to`` and ``downsample`` do nothing (``docs/video.md``).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.standard_normal((40, 200, 1)), np.repeat([0, 1], 20)
        >>> clf = RecurrentClassifier(max_steps=2, min_steps=0).fit(X, y)
        >>> clf.stride_, clf.normalize_, clf.predict(X[:3]).shape
        (4, 'none', (3,))
    """

    _fitted: ClassVar[tuple[str, ...]] = (*SequenceEstimator._fitted, "classes_")

    def fit(self, X: Sequences, y: Any) -> RecurrentClassifier:
        """Train on sequences ``X`` and labels ``y`` (N,) of any type, or per step (a (T_i,) array per sequence)."""
        return self._fit(X, y)

    def _encode_targets(self, y: Any, lengths: np.ndarray) -> np.ndarray:
        labels = np.concatenate([np.asarray(t) for t in y]) if self.per_step else np.asarray(y)
        if labels.ndim == 2 and labels.shape[1] == 1 and not self.per_step:
            labels = column_or_1d(labels, warn=True)  # a column vector, as scikit-learn accepts it
        if labels.ndim != 1:
            raise ValueError(f"y must hold one label per {'step' if self.per_step else 'sequence'}, got {labels.shape}")
        check_classification_targets(labels)  # real-valued targets: a regressor's job
        self.classes_ = np.unique(labels)
        self.n_outputs_ = len(self.classes_)
        if not self.per_step:
            return np.searchsorted(self.classes_, labels).astype(np.int64)
        codes = [np.searchsorted(self.classes_, np.asarray(t)) for t in y]
        return pad_targets(codes, lengths, IGNORE).astype(np.int64)

    @property
    def _stratify(self) -> bool:
        return not self.per_step

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        logits, y = out.reshape(-1, out.shape[-1]), y.reshape(-1)
        loss = F.cross_entropy(logits, y, ignore_index=IGNORE)
        real = y != IGNORE
        return loss, {"accuracy": (logits.argmax(-1)[real] == y[real]).float().mean()}

    def predict_proba(self, X: Sequences) -> np.ndarray | list[np.ndarray]:
        """Class probabilities, (N, n_classes), or per step (N, T, n_classes) / a list of (T_i, n_classes)."""
        logits, is_list = self._outputs(X)
        if is_list and self.per_step:
            return [torch.softmax(torch.from_numpy(o), -1).numpy() for o in logits]
        return torch.softmax(torch.from_numpy(np.asarray(logits)), -1).numpy()

    def predict(self, X: Sequences) -> np.ndarray | list[np.ndarray]:
        """Labels from ``classes_``, (N,), or per step (N, T) / a list of (T_i,)."""
        proba = self.predict_proba(X)
        if isinstance(proba, list):
            return [self.classes_[p.argmax(-1)] for p in proba]
        return self.classes_[proba.argmax(-1)]

    def score(self, X: Sequences, y: Any) -> float:
        """Accuracy (over all steps when ``per_step``)."""
        predicted = self.predict(X)
        if self.per_step:
            predicted, y = np.concatenate(list(predicted)), np.concatenate([np.asarray(t) for t in y])
        return float(np.mean(np.asarray(predicted) == np.asarray(y)))
