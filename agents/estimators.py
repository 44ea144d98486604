"""Scikit-learn-style estimators on the sequence heads (their classical baselines are in ``agents.baselines``).

``RecurrentClassifier`` and ``RecurrentRegressor`` take ``X`` as a float array (N, T, F), a univariate (N, T) array,
or a list of (T_i, F) arrays of different lengths (padded inside, with outputs gathered at each sequence's last real
step). ``RecurrentForecaster`` fits on one or several series and predicts the next ``horizon`` steps. All three follow
scikit-learn's conventions (``fit`` returns self, fitted attributes end in ``_``, ``get_params``/``set_params``) and
save to a weights-only file. Training settings are the fields of :class:`~agents.sequence_trainer.TrainerConfig`,
passed as keyword arguments.

Example:
    >>> from envs.datasets import parity
    >>> data = parity(n_train=64, n_test=32, T=6)
    >>> clf = RecurrentClassifier(hidden_size=8, max_epochs=2).fit(data.X_train, data.y_train)
    >>> clf.predict_proba(data.X_test).shape
    (32, 2)
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from agents.baselines import ridge_direct
from agents.sequence_trainer import Batch, SequenceTrainer, TrainerConfig, forecast_metrics, r2_score, seed_everything
from envs.datasets import Sequences, as_sequences, as_series, sliding_windows
from policies.heads import SequenceClassifier, SequenceForecaster

TRAINER_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TrainerConfig))
IGNORE = -100  # label of padding steps in per-step targets (cross-entropy's ignore_index)


def standardize(array: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std over the real steps of a padded (N, T, F) array (std 1 for constant channels)."""
    real = array[np.arange(array.shape[1])[None, :] < lengths[:, None]]  # (sum T_i, F)
    mean, std = real.mean(0), real.std(0)
    return mean.astype(np.float32), np.where(std > 1e-8, std, 1.0).astype(np.float32)


class _Estimator:
    """Parameters, trainer config and save/load shared by every estimator."""

    _trainer_defaults: ClassVar[dict[str, Any]] = {}
    _fitted: ClassVar[tuple[str, ...]] = ()
    module_: nn.Module

    def _init_trainer(self, trainer: dict[str, Any]) -> None:
        unknown = sorted(set(trainer) - set(TRAINER_FIELDS))
        if unknown:
            raise ValueError(f"Unknown parameters {unknown} for {type(self).__name__}")
        defaults = {f.name: f.default for f in dataclasses.fields(TrainerConfig)} | self._trainer_defaults
        for name in TRAINER_FIELDS:
            setattr(self, name, trainer.get(name, defaults[name]))

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters, training settings included (scikit-learn's ``get_params``)."""
        names = [n for n in inspect.signature(type(self).__init__).parameters if n not in ("self", "trainer")]
        return {name: getattr(self, name) for name in [*names, *TRAINER_FIELDS]}

    def set_params(self, **params: Any) -> _Estimator:
        """Change parameters (takes effect at the next ``fit``); unknown names raise ``ValueError``."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}: expected one of {sorted(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k != "policy" or v is not None)
        return f"{type(self).__name__}({args})"

    def trainer_config(self) -> TrainerConfig:
        """The :class:`TrainerConfig` built from this estimator's training parameters."""
        return TrainerConfig(**{name: getattr(self, name) for name in TRAINER_FIELDS})

    def _check_fitted(self) -> None:
        if not hasattr(self, "module_"):
            raise ValueError(f"This {type(self).__name__} is not fitted yet: call fit first")

    @property
    def _device(self) -> torch.device:
        return next(self.module_.parameters()).device

    def save(self, path: str | Path) -> None:
        """Write parameters, fitted attributes and weights to a file that :meth:`load` reads with ``weights_only``."""
        self._check_fitted()
        params = {k: v for k, v in self.get_params().items() if k != "policy"}
        fitted = {name: _to_storable(getattr(self, name)) for name in self._fitted}
        state = {k: v.cpu() for k, v in self.module_.state_dict().items()}
        built_on_policy = getattr(self, "policy", None) is not None
        payload = {"class": type(self).__name__, "params": params, "fitted": fitted, "state_dict": state}
        torch.save(payload | {"policy": built_on_policy}, path)

    @classmethod
    def load(cls, path: str | Path, policy: Any = None) -> Any:
        """Rebuild a saved estimator; one built on a policy needs that policy (or one of the same shape) again."""
        payload = torch.load(path, weights_only=True)
        if payload["class"] != cls.__name__:
            raise ValueError(f"{path} holds a {payload['class']}, not a {cls.__name__}")
        if payload["policy"] and policy is None:
            raise ValueError(f"{path} was built on a policy: pass policy= to load it")
        estimator = cls(**payload["params"], **({"policy": policy} if payload["policy"] else {}))
        for name, value in payload["fitted"].items():
            setattr(estimator, name, _from_storable(value))
        estimator.module_ = estimator._build_module()
        estimator.module_.load_state_dict(payload["state_dict"])
        estimator.module_.to(estimator.trainer_config().torch_device).eval()
        return estimator

    def _build_module(self) -> nn.Module:
        raise NotImplementedError

    def _step(self, module: nn.Module, batch: Batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        raise NotImplementedError

    def _initialize(self, module: nn.Module, data: Batch) -> None:
        """Set weights from the training data before gradient steps (the forecaster's closed-form AR highway)."""

    def _train(self, train: Batch, val: Batch | None) -> None:
        """Build and train ``module_`` with early stopping on ``val``; then, with ``refit``, again on everything."""
        config = self.trainer_config()
        trainer = SequenceTrainer(config)
        seed_everything(config.seed)
        self.module_ = self._build_module()
        self._initialize(self.module_, train)
        self.history_ = trainer.fit(self.module_, self._step, train, val)
        if config.refit and val is not None:
            everything = tuple(torch.cat(pair) for pair in zip(train, val, strict=True))
            seed_everything(config.seed)  # the same initialisation as the run that early stopping judged
            self.module_ = self._build_module()
            self._initialize(self.module_, everything)
            trainer.refit(self.module_, self._step, everything, self.history_)


def _to_storable(value: Any) -> Any:
    """numpy arrays -> tensors or plain lists, so that ``torch.load(weights_only=True)`` accepts them."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fiub":
            return {"tensor": torch.from_numpy(np.ascontiguousarray(value))}
        return {"list": value.tolist(), "dtype": value.dtype.str}
    return value


def _from_storable(value: Any) -> Any:
    if isinstance(value, dict) and "tensor" in value:
        return value["tensor"].numpy()
    if isinstance(value, dict) and "list" in value:
        return np.array(value["list"], dtype=np.dtype(value["dtype"]))
    return value


def _pad_targets(y: Any, lengths: np.ndarray, fill: Any) -> np.ndarray:
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


class _SequenceEstimator(_Estimator):
    """Shared by the classifier and the regressor: input checks, scaling, the training step and batched inference."""

    _fitted = ("feature_shape_", "mean_", "scale_", "n_outputs_")

    def __init__(
        self,
        cell: str = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        pooling: str = "last",
        per_step: bool = False,
        standardize: bool = True,
        policy: Any = None,
        freeze: bool = True,
        **trainer: Any,
    ) -> None:
        self.cell, self.hidden_size, self.num_layers, self.bidirectional = cell, hidden_size, num_layers, bidirectional
        self.dropout, self.pooling, self.per_step, self.standardize = dropout, pooling, per_step, standardize
        self.policy, self.freeze = policy, freeze
        self._init_trainer(trainer)

    @classmethod
    def from_policy(cls, model: Any, freeze: bool = True, **kwargs: Any) -> Any:
        """An estimator whose network reuses a trained RecurrentPPO's features extractor and actor core (copied).

        ``X`` is then raw observations (N, T, *obs_shape); with ``freeze`` only the output layer learns.
        """
        return cls(policy=model, freeze=freeze, **kwargs)

    def _build_module(self) -> SequenceClassifier:
        kwargs = {"pooling": self.pooling, "per_step": self.per_step, "dropout": self.dropout}
        if self.policy is not None:
            return SequenceClassifier.from_policy(self.policy, self.n_outputs_, freeze=self.freeze, **kwargs)
        (n_features,) = self.feature_shape_
        arch = {"cell": self.cell, "hidden_size": self.hidden_size, "num_layers": self.num_layers}
        return SequenceClassifier(n_features, self.n_outputs_, bidirectional=self.bidirectional, **arch, **kwargs)

    def _fit(self, X: Sequences, y: Any) -> _SequenceEstimator:
        array, lengths = as_sequences(X)
        if not self.per_step and len(y) != len(lengths):
            raise ValueError(f"y has {len(y)} labels but X has {len(lengths)} sequences")
        targets = self._encode_targets(y, lengths)
        self.feature_shape_ = tuple(int(d) for d in array.shape[2:])
        if self.policy is None and len(self.feature_shape_) != 1:
            raise ValueError(f"X must have one feature axis (N, T, F), got per-step shape {self.feature_shape_}")
        self.mean_, self.scale_ = (None, None)
        if self.standardize and self.policy is None:
            self.mean_, self.scale_ = standardize(array, lengths)
        data = (torch.from_numpy(self._scale(array)), torch.from_numpy(lengths), torch.from_numpy(targets))
        train, val = self._split(targets, self.trainer_config())
        self._train(tuple(t[train] for t in data), tuple(t[val] for t in data) if len(val) else None)
        return self

    def _split(self, targets: np.ndarray, config: TrainerConfig) -> tuple[np.ndarray, np.ndarray]:
        """Random train/validation indices; stratified by class for many-to-one classification."""
        rng = np.random.default_rng(config.seed)
        n = len(targets)
        if config.val_fraction == 0:
            return np.arange(n), np.array([], dtype=np.int64)
        groups = [np.flatnonzero(targets == c) for c in np.unique(targets)] if self._stratify else [np.arange(n)]
        val = np.concatenate([rng.permutation(g)[: round(config.val_fraction * len(g))] for g in groups])
        return np.setdiff1d(np.arange(n), val), np.sort(val)

    @property
    def _stratify(self) -> bool:
        return False

    def _scale(self, array: np.ndarray) -> np.ndarray:
        return array if self.mean_ is None else (array - self.mean_) / self.scale_

    def _step(self, module: nn.Module, batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        x, lengths, y = batch
        T = int(lengths.max())
        out = module(x[:, :T].transpose(0, 1), lengths)  # (B, T, F) -> (T, B, F) -> (B, C) or (T, B, C)
        if self.per_step:
            out, y = out.transpose(0, 1), y[:, :T]  # (B, T, C), (B, T, ...)
        return self._loss(out, y)

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        raise NotImplementedError

    def _encode_targets(self, y: Any, lengths: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @torch.no_grad()
    def _outputs(self, X: Sequences) -> tuple[np.ndarray | list[np.ndarray], bool]:
        """Raw network outputs, (N, C), or per step (N, T, C) / a list of (T_i, C); and whether X was a list."""
        self._check_fitted()
        array, lengths = as_sequences(X, self.feature_shape_)
        x_all, lengths_all = torch.from_numpy(self._scale(array)), torch.from_numpy(lengths)
        self.module_.eval()
        chunks = []
        for begin in range(0, len(lengths), 256):
            lengths_b = lengths_all[begin : begin + 256]
            x = x_all[begin : begin + 256, : int(lengths_b.max())].transpose(0, 1).to(self._device)
            out = self.module_(x, lengths_b.to(self._device))
            out = out.transpose(0, 1) if self.per_step else out
            chunks.append(F.pad(out, (0, 0, 0, array.shape[1] - out.shape[1])) if self.per_step else out)
        outputs = torch.cat(chunks).cpu().numpy()
        is_list = not isinstance(X, (np.ndarray, torch.Tensor))
        if self.per_step and is_list:
            return [o[:length] for o, length in zip(outputs, lengths, strict=True)], True
        return outputs, is_list


class RecurrentClassifier(_SequenceEstimator):
    """Sequence classifier (one label per sequence, or per step with ``per_step=True``) on an RNN, LSTM or GRU.

    Args: ``cell``, ``hidden_size``, ``num_layers``, ``bidirectional``, ``dropout``, ``pooling``, ``per_step`` as in
    :class:`~policies.heads.SequenceClassifier`; ``standardize`` scales each channel by its training mean and std;
    ``policy``/``freeze``: see :meth:`from_policy`; any :class:`TrainerConfig` field as a keyword.
    """

    _fitted = (*_SequenceEstimator._fitted, "classes_")

    def fit(self, X: Sequences, y: Any) -> RecurrentClassifier:
        """Train on sequences ``X`` and labels ``y`` (N,) of any type, or per step (a (T_i,) array per sequence)."""
        return self._fit(X, y)  # type: ignore[return-value]

    def _encode_targets(self, y: Any, lengths: np.ndarray) -> np.ndarray:
        labels = np.concatenate([np.asarray(t) for t in y]) if self.per_step else np.asarray(y)
        if labels.ndim != 1:
            raise ValueError(f"y must hold one label per {'step' if self.per_step else 'sequence'}, got {labels.shape}")
        self.classes_ = np.unique(labels)
        self.n_outputs_ = len(self.classes_)
        if not self.per_step:
            return np.searchsorted(self.classes_, labels).astype(np.int64)
        codes = [np.searchsorted(self.classes_, np.asarray(t)) for t in y]
        return _pad_targets(codes, lengths, IGNORE).astype(np.int64)

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


class RecurrentRegressor(_SequenceEstimator):
    """Sequence regressor (targets per sequence (N,) / (N, K), or per step), e.g. the adding problem or a probe.

    Targets are standardized inside and restored on output. Parameters as for :class:`RecurrentClassifier`.
    """

    _fitted = (*_SequenceEstimator._fitted, "y_mean_", "y_scale_", "target_ndim_")

    def fit(self, X: Sequences, y: Any) -> RecurrentRegressor:
        """Train on sequences ``X`` and float targets ``y``."""
        return self._fit(X, y)  # type: ignore[return-value]

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
        return _pad_targets(scaled, lengths, np.nan).astype(np.float32)

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real = torch.isfinite(y)
        mse = F.mse_loss(out[real], y[real])
        return mse, {"mse": mse.detach()}

    def predict(self, X: Sequences) -> np.ndarray | list[np.ndarray]:
        """Predicted targets in the units of ``y``: (N,) / (N, K), or per step (N, T[, K]) / a list of (T_i[, K])."""
        outputs, is_list = self._outputs(X)
        items = outputs if is_list and self.per_step else [np.asarray(outputs)]
        restored = [o * self.y_scale_ + self.y_mean_ for o in items]
        if self.target_ndim_ == 1:
            restored = [r[..., 0] for r in restored]
        return restored if is_list and self.per_step else restored[0]

    def score(self, X: Sequences, y: Any) -> float:
        """R², averaged over target columns (over all steps when ``per_step``)."""
        predicted = self.predict(X)
        if self.per_step:
            return r2_score(np.concatenate([np.asarray(t) for t in y]), np.concatenate(list(predicted)))
        return r2_score(np.asarray(y), np.asarray(predicted))


class RecurrentForecaster(_Estimator):
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
        **trainer: any :class:`TrainerConfig` field.
    """

    _fitted = ("n_channels_", "n_covariates_", "cov_mean_", "cov_scale_")
    # Windows cut from one series overlap almost entirely: batches of 16 add gradient noise, not information (and
    # measured worse on Airline and sunspots than 32).
    _trainer_defaults: ClassVar[dict[str, Any]] = {"batch_size": 32}

    def __init__(
        self,
        lookback: int = 24,
        horizon: int = 12,
        cell: str = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        highway: bool = True,
        ridge: float = 1.0,
        scaling: str = "series",
        **trainer: Any,
    ) -> None:
        self.lookback, self.horizon, self.cell, self.hidden_size = lookback, horizon, cell, hidden_size
        self.num_layers, self.dropout, self.highway, self.scaling = num_layers, dropout, highway, scaling
        self.ridge = ridge
        self._init_trainer(trainer)

    def _build_module(self) -> SequenceForecaster:
        return SequenceForecaster(
            self.n_channels_ + self.n_covariates_,
            self.horizon,
            lookback=self.lookback if self.highway else None,
            covariate_size=self.n_covariates_,
            cell=self.cell,  # type: ignore[arg-type]
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
        items, _ = as_series(series)
        covs = self._covariates(covariates, items, [len(s) for s in items], fit=True)
        L, H = int(self.lookback), int(self.horizon)
        if all(len(s) < L + H for s in items):
            raise ValueError(
                f"No series is long enough for lookback + horizon = {L + H} steps: {[len(s) for s in items]}"
            )
        self.n_channels_ = items[0].shape[1]
        config = self.trainer_config()
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
        self._train(data[0], data[1] if len(data[1][0]) else None)
        return self

    def _initialize(self, module: nn.Module, data: Batch) -> None:
        """Fit the linear highway by ridge regression (closed form) on the windows, as the model will see them."""
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
