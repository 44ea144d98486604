"""What the estimators share: parameters and training settings, training with refit, save/load, and the base of the
classifier and the regressor (input checks, scaling, the training step, batched inference)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, ClassVar, Literal, Self, TypeAlias

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import ValidationError
from sklearn.base import BaseEstimator
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted
from torch import nn

from agents.sequence.inputs import as_sequences, normalize_series, scale_spread, standardize
from agents.sequence.trainer import Batch, Schedule, SequenceTrainer, TrainerConfig, one_line, seeded
from envs.datasets import Sequences
from policies.cores import CellType
from policies.downsample import Downsample
from policies.embedding import check_token_ids, count_tokens, embed_tokens
from policies.frames import frame_encoder
from policies.heads import Pooling, SequenceClassifier, SequenceEncoder

Normalize: TypeAlias = Literal["auto", "series_stats", "series", "none"]
NORMALIZE: tuple[str, ...] = ("auto", "series_stats", "series", "none")
# "auto" normalises each sequence when its scale carries little: when the std over the training sequences of
# log10(each sequence's std) exceeds this in the median channel, i.e. sequences' scales differ by about tenfold
SCALE_SPREAD = 1.0
# A validation split of fewer sequences is not made: a handful of series picks the stopping epoch by chance (on
# ArrowHead, 6 of 36 picked epoch 92 of 500 for one seed, 0.47 test accuracy), so training runs ``max_steps`` instead
MIN_VALIDATION = 10

# The trainer's fields as the estimators' keyword parameters: scikit-learn calls the seed ``random_state``.
TRAINER_PARAMS: dict[str, str] = {
    ("random_state" if name == "seed" else name): name for name in TrainerConfig.model_fields
}


class Estimator(BaseEstimator):
    """Training settings, seeding and save/load shared by every estimator (scikit-learn's ``BaseEstimator``).

    Parameters live only in each ``__init__`` as explicit keywords, as scikit-learn requires: ``get_params``,
    ``set_params``, ``clone`` and ``repr`` come from ``BaseEstimator``; values are checked at ``fit``.
    """

    _fitted: ClassVar[tuple[str, ...]] = ()
    module_: nn.Module
    history_: Any  # each estimator's record of its training (the trainer's History for the sequence heads)

    def _store(self, params: dict[str, Any]) -> None:
        """Keep every ``__init__`` argument as given, under its own name (scikit-learn checks nothing before fit)."""
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    def trainer_config(self) -> TrainerConfig:
        """The :class:`TrainerConfig` built from this estimator's training parameters.

        ``random_state=None`` draws a fresh seed from the operating system's entropy (a different model each fit).

        Raises:
            ValueError: a training parameter is out of range, in one line (``lr=-1.0: expected > 0``); like
                scikit-learn, the estimator stores parameters as given and checks them here, at ``fit``.
        """
        settings = {field: getattr(self, param) for param, field in TRAINER_PARAMS.items()}
        if settings["seed"] is None:
            settings["seed"] = int(np.random.SeedSequence().generate_state(1)[0])
        try:
            return TrainerConfig(**settings)
        except ValidationError as error:
            raise ValueError(re.sub(r"(^|; )seed=", r"\1random_state=", one_line(error))) from None

    def _check_fitted(self) -> None:
        check_is_fitted(self, "module_")

    @property
    def _device(self) -> torch.device:
        return next(self.module_.parameters()).device

    def save(self, path: str | Path) -> None:
        """Write parameters, fitted attributes and weights to a file that :meth:`load` reads with ``weights_only``."""
        self._check_fitted()
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "policy"}
        fitted = {name: _to_storable(getattr(self, name)) for name in self._fitted}
        state = {k: v.cpu() for k, v in self.module_.state_dict().items()}
        built_on_policy = getattr(self, "policy", None) is not None
        payload = {"class": type(self).__name__, "params": params, "fitted": fitted, "state_dict": state}
        torch.save(payload | {"policy": built_on_policy}, path)

    @classmethod
    def load(cls, path: str | Path, policy: Any = None) -> Self:
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

    def _train(self, config: TrainerConfig, train: Batch, val: Batch | None) -> None:
        """Build and train ``module_`` with early stopping on ``val``; then, with ``refit``, again on everything."""
        trainer = SequenceTrainer(config)
        with seeded(config.seed, config.torch_device):
            self.module_ = self._build_module()
            self._initialize(self.module_, train)
            self.history_ = trainer.fit(self.module_, self._step, train, val)
        if config.refit and val is not None:
            everything = tuple(torch.cat(pair) for pair in zip(train, val, strict=True))
            with seeded(config.seed, config.torch_device):  # the initialisation that early stopping judged
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


class SequenceEstimator(Estimator):
    """Shared by the classifier and the regressor: input checks, scaling, the training step and batched inference."""

    _fitted: ClassVar[tuple[str, ...]] = (
        "feature_shape_",
        "n_features_in_",
        "mean_",
        "scale_",
        "n_outputs_",
        "normalize_",
        "stride_",
        "n_tokens_",
    )
    feature_shape_: tuple[int, ...]
    n_features_in_: int
    mean_: np.ndarray | None
    scale_: np.ndarray | None
    n_outputs_: int
    normalize_: Normalize
    stride_: int
    n_tokens_: int | None

    def __init__(
        self,
        cell: CellType = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool | Literal["auto"] = "auto",
        dropout: float = 0.0,
        pooling: Pooling = "last",
        per_step: bool = False,
        standardize: bool = True,
        normalize: Normalize = "auto",
        downsample_to: int | None = 64,
        downsample: Downsample = "pool",
        embedding_dim: int | None = None,
        policy: Any = None,
        freeze: bool = True,
        # TrainerConfig's fields, spelled out: scikit-learn reads parameters from each __init__'s signature (a
        # test keeps these in step with TrainerConfig)
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 16,
        max_epochs: int | None = None,
        max_steps: int = 2_000,
        min_steps: int = 1_000,
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

    def __sklearn_tags__(self) -> Tags:
        """X may be 3-D (N, T, F) as well as 2-D (N univariate sequences), and y is required."""
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        return tags

    @classmethod
    def from_policy(cls, model: Any, freeze: bool = True, **kwargs: Any) -> Self:
        """An estimator whose network reuses a trained RecurrentPPO's features extractor and actor core (copied).

        ``X`` is then raw observations (N, T, *obs_shape); with ``freeze`` only the output layer learns.
        """
        return cls(policy=model, freeze=freeze, **kwargs)

    def _build_module(self) -> SequenceClassifier:
        if self.policy is not None:
            return SequenceClassifier.from_policy(
                self.policy,
                self.n_outputs_,
                freeze=self.freeze,
                pooling=self.pooling,
                per_step=self.per_step,
                dropout=self.dropout,
            )
        encoder = self._step_encoder()
        if encoder is not None:
            args = {"pooling": self.pooling, "per_step": self.per_step, "dropout": self.dropout}
            return SequenceClassifier(0, self.n_outputs_, encoder=encoder, **args)
        (n_features,) = self.feature_shape_
        n_tokens = getattr(self, "n_tokens_", None)
        if n_tokens is not None:  # token ids: a learned vector per id in front of the core
            return embed_tokens(
                SequenceClassifier(self.embedding_dim, self.n_outputs_, **self._core_kwargs()), n_tokens
            )
        return SequenceClassifier(
            n_features * (3 if self.normalize_ == "series_stats" else 1),
            self.n_outputs_,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self._bidirectional(),
            dropout=self.dropout,
            pooling=self.pooling,
            per_step=self.per_step,
            stride=self.stride_,
            downsample=self.downsample,
        )

    def _step_encoder(self) -> SequenceEncoder | None:
        """The encoder for non-vector steps, by per-step shape: a CNN per frame for (C, H, W); None for (F,)."""
        if len(self.feature_shape_) == 3:
            args = (self.cell, self.hidden_size, self.num_layers, self.dropout, self._bidirectional())
            return frame_encoder(self.feature_shape_, *args)
        return None

    def _core_kwargs(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self._bidirectional(),
            "dropout": self.dropout,
            "pooling": self.pooling,
            "per_step": self.per_step,
        }

    def _fit(self, X: Sequences, y: Any) -> Self:
        config = self.trainer_config()  # parameters first, as scikit-learn checks them before the data
        array, lengths = as_sequences(X)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = y if self.per_step else np.asarray(y)  # any array-like; per-step targets stay a list of arrays
        if not self.per_step and len(y) != len(lengths):
            raise ValueError(f"y has {len(y)} labels but X has {len(lengths)} sequences")
        targets = self._encode_targets(y, lengths)
        self.feature_shape_ = tuple(int(d) for d in array.shape[2:])
        self.n_features_in_ = int(np.prod(self.feature_shape_))  # values per step: channels, or an observation's size
        if self.policy is None and len(self.feature_shape_) not in (1, 3):
            shape = self.feature_shape_
            raise ValueError(f"X must be (N, T, F) or frames (N, T, C, H, W), got per-step shape {shape}")
        self.n_tokens_ = None if self.embedding_dim is None else count_tokens(array, self.embedding_dim)
        self.normalize_ = self._resolve_normalize(array, lengths)
        self.stride_ = self._stride(lengths)
        self.mean_, self.scale_ = (None, None)
        features = self._features(array, lengths)
        if self.standardize and self.policy is None and self.n_tokens_ is None:
            self.mean_, self.scale_ = standardize(features, lengths)
        data = (torch.from_numpy(self._scale(features)), torch.from_numpy(lengths), torch.from_numpy(targets))
        train, val = self._split(targets, config)
        self._train(config, tuple(t[train] for t in data), tuple(t[val] for t in data) if len(val) else None)
        return self

    def _split(self, targets: np.ndarray, config: TrainerConfig) -> tuple[np.ndarray, np.ndarray]:
        """Random train/validation indices; stratified by class for many-to-one classification.

        No validation (all indices train) when ``val_fraction`` is 0 or the split would hold fewer than
        :data:`MIN_VALIDATION` sequences.
        """
        rng = np.random.default_rng(config.seed)
        n = len(targets)
        groups = [np.flatnonzero(targets == c) for c in np.unique(targets)] if self._stratify else [np.arange(n)]
        val = np.concatenate([rng.permutation(g)[: round(config.val_fraction * len(g))] for g in groups])
        if len(val) < MIN_VALIDATION:
            return np.arange(n), np.array([], dtype=np.int64)
        return np.setdiff1d(np.arange(n), val), np.sort(val)

    @property
    def _stratify(self) -> bool:
        return False

    def _resolve_normalize(self, array: np.ndarray, lengths: np.ndarray) -> Normalize:
        """``normalize`` as applied: raw observations for a policy and per-step labels are never normalised;
        ``"auto"`` reads the training sequences' scales (:func:`~agents.sequence.inputs.scale_spread`)."""
        if self.normalize not in NORMALIZE:
            raise ValueError(f"normalize={self.normalize!r}: expected one of {', '.join(map(repr, NORMALIZE))}")
        if self.policy is not None or self.per_step or len(self.feature_shape_) == 3 or self.embedding_dim is not None:
            return "none"  # a per-step label must not read later steps' statistics; frames and token ids as they are
        if self.normalize == "auto":
            return "series_stats" if scale_spread(array, lengths) > SCALE_SPREAD else "none"
        return self.normalize

    def _stride(self, lengths: np.ndarray) -> int:
        """Steps per core step: the longest training sequence shortened to at most ``downsample_to`` steps."""
        if self.downsample_to is not None and (not isinstance(self.downsample_to, int) or self.downsample_to < 1):
            raise ValueError(f"downsample_to={self.downsample_to!r}: expected a positive integer or None")
        one_step_features = len(self.feature_shape_) == 1 and self.embedding_dim is None
        if self.downsample_to is None or self.policy is not None or self.per_step or not one_step_features:
            return 1
        return max(1, math.ceil(int(lengths.max()) / self.downsample_to))

    def _bidirectional(self) -> bool:
        """``bidirectional``, with ``"auto"``: a backward core only behind the downsampling front end."""
        if self.bidirectional not in (True, False, "auto"):
            raise ValueError(f"bidirectional={self.bidirectional!r}: expected True, False or 'auto'")
        return self.stride_ > 1 if self.bidirectional == "auto" else bool(self.bidirectional)

    def _features(self, array: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """What the network reads per step: the raw values, or z-normalised ones with each sequence's statistics."""
        if self.n_tokens_ is not None:
            check_token_ids(array, self.n_tokens_)
        if self.normalize_ == "none":
            return array
        normalized, mean, std = normalize_series(array, lengths)
        if self.normalize_ == "series":
            return normalized
        # (N, 1, 2F): level in units of the sequence's own scale, and log-scale; both unitless, so rounding them
        # removes the float noise (about 1e-8) that sets already normalised per series carry, which standardizing
        # would otherwise blow up into channels of pure noise
        stats = np.round(np.concatenate([mean / std, np.log(std)], axis=-1), 4)[:, None, :]
        real = np.arange(array.shape[1])[None, :, None] < lengths[:, None, None]
        return np.concatenate([normalized, np.where(real, stats, 0.0).astype(np.float32)], axis=-1)

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
        x_all = torch.from_numpy(self._scale(self._features(array, lengths)))
        lengths_all = torch.from_numpy(lengths)
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
