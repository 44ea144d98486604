"""``RecurrentForecaster``: the last ``lookback`` steps of a series -> the next ``horizon`` steps, at once."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from agents.sequence.baselines import ridge_direct
from agents.sequence.estimator import Estimator
from agents.sequence.inputs import as_series, sliding_windows
from agents.sequence.metrics import forecast_metrics, r2_score
from agents.sequence.trainer import Batch, Schedule
from policies.cores import CellType
from policies.heads import SequenceForecaster


class RecurrentForecaster(Estimator):
    """Direct multi-horizon forecaster: the last ``lookback`` steps -> the next ``horizon`` steps, at once.

    Args:
        lookback: steps of history the network reads.
        horizon: steps it predicts at once; longer forecasts feed predictions back in blocks of ``horizon``.
        cell, hidden_size, num_layers, dropout: the recurrent encoder.
        highway: add a linear autoregressive map of the window (see :class:`~policies.heads.SequenceForecaster`),
            fitted first by ridge regression, so that training starts from a linear direct AR model.
        ridge: the L2 penalty of that ridge regression (in standardized units, summed over windows).
        scaling: ``"series"`` standardizes each series by its own mean and std (inside, undone on output);
            ``"window"`` also re-centres and re-scales every lookback window by its own statistics, which lets the
            network follow trends and level shifts beyond the training range.
        lr, weight_decay, batch_size, max_epochs, max_steps, min_steps, patience, val_fraction, grad_clip, schedule,
            device, progress, log_dir, refit: the :class:`TrainerConfig` fields of the same names; ``random_state``
            is its ``seed``. ``batch_size`` defaults to 32, not 16: windows cut from one series overlap almost
            entirely, so batches of 16 add gradient noise, not information (and measured worse on Airline and
            sunspots). ``max_epochs`` 300, ``max_steps`` 5000 and ``min_steps`` 0 keep the training the forecasts
            were measured with.
    """

    _fitted: ClassVar[tuple[str, ...]] = ("n_channels_", "n_covariates_", "cov_mean_", "cov_scale_")
    n_channels_: int
    n_covariates_: int
    cov_mean_: np.ndarray
    cov_scale_: np.ndarray

    def __init__(
        self,
        lookback: int = 24,
        horizon: int = 12,
        cell: CellType = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        highway: bool = True,
        ridge: float = 1.0,
        scaling: str = "series",
        # TrainerConfig's fields, spelled out: scikit-learn reads parameters from each __init__'s signature (a
        # test keeps these in step with TrainerConfig)
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 32,
        max_epochs: int | None = 300,
        max_steps: int = 5_000,
        min_steps: int = 0,
        patience: int = 30,
        val_fraction: float = 0.2,
        grad_clip: float = 1.0,
        schedule: Schedule = "plateau",
        random_state: int | None = 0,
        device: str = "cpu",
        progress: bool = False,
        log_dir: str | None = None,
        refit: bool = True,
    ) -> None:
        self._store(locals())

    def _build_module(self) -> SequenceForecaster:
        return SequenceForecaster(
            self.n_channels_ + self.n_covariates_,
            self.horizon,
            lookback=self.lookback if self.highway else None,
            covariate_size=self.n_covariates_,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            dropout=self.dropout,
        )

    def _check_params(self) -> None:
        if int(self.horizon) < 1:
            raise ValueError(f"horizon must be >= 1, got {self.horizon!r}")
        if int(self.lookback) < 2:
            raise ValueError(f"lookback must be >= 2, got {self.lookback!r}")
        if self.scaling not in ("series", "window"):
            raise ValueError(f"scaling must be 'series' or 'window', got {self.scaling!r}")

    def fit(self, series: Any, covariates: Any = None) -> RecurrentForecaster:
        """Train on every window of one or several series; ``covariates`` (same layout, (T_s, C)) are known ahead."""
        self._check_params()
        config = self.trainer_config()
        items, _ = as_series(series)
        covs = self._covariates(covariates, items, [len(s) for s in items], fit=True)
        L, H = int(self.lookback), int(self.horizon)
        if all(len(s) < L + H for s in items):
            raise ValueError(
                f"No series is long enough for lookback + horizon = {L + H} steps: {[len(s) for s in items]}"
            )
        self.n_channels_ = items[0].shape[1]
        train, val = [], []
        for s, c in zip(items, covs, strict=True):
            windows = sliding_windows(self._scale_series(s, s)[0], c, L, H)
            n_val = round(config.val_fraction * len(windows[0]))  # the most recent windows validate
            train.append(tuple(w[: len(w) - n_val] for w in windows))
            val.append(tuple(w[len(w) - n_val :] for w in windows))
        data = [
            tuple(torch.from_numpy(np.concatenate(parts)) for parts in zip(*split, strict=True))
            for split in (train, val)
        ]
        self._train(config, data[0], data[1] if len(data[1][0]) else None)
        return self

    def _initialize(self, module: nn.Module, data: Batch) -> None:
        """Fit the linear highway by ridge regression (closed form) on the windows, as the model will see them."""
        assert isinstance(module, SequenceForecaster)  # what _build_module returns
        if module.highway is None:
            return
        x, y, _ = data  # (N, L, F+C), (N, H, F)
        x, mean, std = self._normalize(x)
        F_, L, H = self.n_channels_, int(self.lookback), int(self.horizon)
        inputs = x[:, :, :F_].permute(0, 2, 1).reshape(-1, L)  # every channel a sample: (N*F, L)
        targets = ((y - mean) / std).permute(0, 2, 1).reshape(-1, H)  # (N*F, H)
        weight, bias = ridge_direct(inputs.numpy(), targets.numpy(), float(self.ridge))
        with torch.no_grad():
            module.highway.weight.copy_(torch.from_numpy(weight))
            module.highway.bias.copy_(torch.from_numpy(bias))

    def _covariates(self, covariates: Any, items: list[np.ndarray], needed: list[int], fit: bool) -> list[np.ndarray]:
        """Standardized covariates, one (T_s, C) array per series (C = 0 without covariates)."""
        if covariates is None:
            if not fit and self.n_covariates_:
                raise ValueError(f"This forecaster was fitted with {self.n_covariates_} covariates: pass covariates")
            if fit:
                self.n_covariates_, self.cov_mean_, self.cov_scale_ = 0, np.zeros(0), np.ones(0)
            return [np.zeros((n, 0)) for n in needed]
        covs, _ = as_series(covariates if isinstance(covariates, (list, tuple)) else [covariates], "covariates")
        if len(covs) != len(items) or any(len(c) < n for c, n in zip(covs, needed, strict=True)):
            raise ValueError(f"covariates must cover {needed} steps per series, got {[len(c) for c in covs]}")
        if fit:
            stacked = np.concatenate(covs)
            self.n_covariates_, self.cov_mean_ = stacked.shape[1], stacked.mean(0)
            self.cov_scale_ = np.where(stacked.std(0) > 1e-8, stacked.std(0), 1.0)
        elif covs[0].shape[1] != self.n_covariates_:
            raise ValueError(f"covariates have {covs[0].shape[1]} channels; fitted with {self.n_covariates_}")
        return [
            ((c[:n] - self.cov_mean_) / self.cov_scale_).astype(np.float32) for c, n in zip(covs, needed, strict=True)
        ]

    @staticmethod
    def _scale_series(s: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Standardize ``s`` by ``reference``'s per-channel mean and std; returns the scaled series and both stats."""
        mean, std = reference.mean(0), reference.std(0)
        std = np.where(std > 1e-8, std, 1.0)
        return ((s - mean) / std).astype(np.float32), mean, std

    def _normalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Window scaling: (B, L, F+C) -> the window with its targets re-scaled, and their mean and std (B, 1, F)."""
        F_ = self.n_channels_
        if self.scaling != "window":
            zeros = x.new_zeros(x.shape[0], 1, F_)
            return x, zeros, zeros + 1
        target = x[:, :, :F_]
        mean, std = target.mean(1, keepdim=True), target.std(1, keepdim=True).clamp(min=1e-2)
        return torch.cat([(target - mean) / std, x[:, :, F_:]], dim=-1), mean, std

    def _step(self, module: nn.Module, batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        x, y, future = batch  # (B, L, F+C), (B, H, F), (B, H, C)
        x, mean, std = self._normalize(x)
        covariates = future.transpose(0, 1) if self.n_covariates_ else None
        pred = module(x.transpose(0, 1), covariates).transpose(0, 1)  # (L, B, F+C) -> (H, B, F) -> (B, H, F)
        loss = F.mse_loss(pred, (y - mean) / std)
        error = pred.detach() * std + mean - y  # in units of the series' std
        return loss, {"mae": error.abs().mean(), "mse": (error**2).mean()}

    @torch.no_grad()
    def predict(self, history: Any, horizon: int | None = None, covariates: Any = None) -> np.ndarray:
        """Forecast the ``horizon`` (default: the fitted one) steps after each history.

        Args:
            history: (T,) or (T, F) with T >= ``lookback``, or a list of them.
            horizon: steps to forecast; beyond the fitted horizon, forecasts are fed back in.
            covariates: when fitted with covariates, (T + horizon, C) per history (past and known future).

        Returns:
            (horizon,) or (horizon, F) like the history, or (N, horizon, F) for a list.
        """
        self._check_fitted()
        horizon = int(self.horizon if horizon is None else horizon)
        if horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {horizon}")
        items, is_list = as_series(history, "history")
        if items[0].shape[1] != self.n_channels_:
            raise ValueError(f"history has {items[0].shape[1]} channels; fitted with {self.n_channels_}")
        if any(len(s) < self.lookback for s in items):
            raise ValueError(
                f"Each history needs at least lookback = {self.lookback} steps, got {[len(s) for s in items]}"
            )
        covs = self._covariates(covariates, items, [len(s) + horizon for s in items], fit=False)
        forecasts = np.stack([self._forecast(s, c, horizon) for s, c in zip(items, covs, strict=True)])
        if is_list:
            return forecasts
        return forecasts[0, :, 0] if np.asarray(history).ndim == 1 else forecasts[0]

    def _forecast(self, s: np.ndarray, covariates: np.ndarray, horizon: int) -> np.ndarray:
        """Blocks of ``self.horizon`` steps fed back until ``horizon`` are done, in the history's own units."""
        scaled, mean, std = self._scale_series(s, s)
        L, H, T = int(self.lookback), int(self.horizon), len(s)
        path = torch.from_numpy(scaled).to(self._device)  # (T, F)
        covariates = np.concatenate([covariates, np.zeros((H, covariates.shape[1]), np.float32)])  # room for a block
        cov = torch.from_numpy(covariates).to(self._device)
        self.module_.eval()
        while len(path) < T + horizon:
            t = len(path)
            x = torch.cat([path[t - L :], cov[t - L : t]], dim=-1)[None]  # (1, L, F+C)
            x, w_mean, w_std = self._normalize(x)
            future = cov[t : t + H, None] if self.n_covariates_ else None  # (H, 1, C)
            block = self.module_(x.transpose(0, 1), future)[:, 0] * w_std[0] + w_mean[0]  # (H, F)
            path = torch.cat([path, block])
        return path[T : T + horizon].cpu().numpy().astype(np.float64) * std + mean

    def score(self, history: Any, future: Any) -> float:
        """R² of the forecast of ``len(future)`` steps after ``history``."""
        future = np.asarray(future, np.float64)
        return r2_score(future, self.predict(history, horizon=len(future)))

    def evaluate(self, history: np.ndarray, future: np.ndarray, season: int = 1) -> dict[str, float]:
        """MAE, RMSE, MAPE, sMAPE and MASE (scaled by the history's seasonal naive error) of one forecast."""
        future = np.asarray(future, np.float64)
        return forecast_metrics(future, self.predict(history, horizon=len(future)), history, season)
