"""``RecurrentRegressor``: real targets per sequence (or per step), e.g. the adding problem or a memory probe."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import RegressorMixin
from sklearn.utils import Tags

from agents.sequence.estimator import SequenceEstimator
from agents.sequence.inputs import pad_targets
from agents.sequence.metrics import r2_score
from envs.datasets import Sequences


class RecurrentRegressor(RegressorMixin, SequenceEstimator):
    """Sequence regressor (targets per sequence (N,) / (N, K), or per step), e.g. the adding problem or a probe.

    Targets are standardized inside and restored on output. Parameters as for :class:`RecurrentClassifier`.
    """

    _fitted: ClassVar[tuple[str, ...]] = (*SequenceEstimator._fitted, "y_mean_", "y_scale_", "target_ndim_")

    def __sklearn_tags__(self) -> Tags:
        """Several targets per sequence, y (N, K), are one network with K outputs."""
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Sequences, y: Any) -> RecurrentRegressor:
        """Train on sequences ``X`` and float targets ``y``."""
        return self._fit(X, y)

    def _encode_targets(self, y: Any, lengths: np.ndarray) -> np.ndarray:
        flat = np.concatenate([np.asarray(t, np.float32) for t in y]) if self.per_step else np.asarray(y, np.float32)
        if not np.isfinite(flat).all():
            raise ValueError("y contains NaN or infinite values")
        self.target_ndim_ = flat.ndim
        flat = flat.reshape(len(flat), -1)  # (N or sum T_i, K)
        self.n_outputs_ = flat.shape[1]
        self.y_mean_, self.y_scale_ = flat.mean(0), np.where(flat.std(0) > 1e-8, flat.std(0), 1.0).astype(np.float32)
        if not self.per_step:
            return (flat - self.y_mean_) / self.y_scale_
        scaled = [(np.asarray(t, np.float32).reshape(len(t), -1) - self.y_mean_) / self.y_scale_ for t in y]
        return pad_targets(scaled, lengths, np.nan).astype(np.float32)

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real = torch.isfinite(y)
        mse = F.mse_loss(out[real], y[real])
        return mse, {"mse": mse.detach()}

    def predict(self, X: Sequences) -> np.ndarray | list[np.ndarray]:
        """Predicted targets in the units of ``y``: (N,) / (N, K), or per step (N, T[, K]) / a list of (T_i[, K])."""
        outputs, is_list = self._outputs(X)
        items = outputs if is_list and self.per_step else [np.asarray(outputs)]
        restored = [(o * self.y_scale_ + self.y_mean_).astype(np.float64) for o in items]  # scikit-learn's dtype
        if self.target_ndim_ == 1:
            restored = [r[..., 0] for r in restored]
        return restored if is_list and self.per_step else restored[0]

    def score(self, X: Sequences, y: Any) -> float:
        """R², averaged over target columns (over all steps when ``per_step``)."""
        predicted = self.predict(X)
        if self.per_step:
            return r2_score(np.concatenate([np.asarray(t) for t in y]), np.concatenate(list(predicted)))
        return r2_score(np.asarray(y), np.asarray(predicted))
