"""One supervised trainer for every sequence head: AdamW, clipping, early stopping, LR schedule, TensorBoard.

The trainer knows nothing about classification or forecasting: an estimator hands it tensors whose first dimension
indexes samples and a ``step`` function that turns a minibatch into a loss and a few metrics. Validation loss drives
early stopping (the best weights are restored at the end) and the plateau schedule.

Example:
    >>> model = nn.Linear(3, 1)
    >>> def step(module, batch):
    ...     x, y = batch
    ...     loss = ((module(x).squeeze(-1) - y) ** 2).mean()
    ...     return loss, {"mse": loss.detach()}
    >>> x = torch.randn(64, 3)
    >>> history = SequenceTrainer(TrainerConfig(max_epochs=5)).fit(model, step, (x, x.sum(-1)))
    >>> len(history.epochs) <= 5
    True
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from torch import nn
from tqdm.auto import tqdm

Batch: TypeAlias = tuple[torch.Tensor, ...]
StepFn: TypeAlias = Callable[[nn.Module, Batch], tuple[torch.Tensor, dict[str, torch.Tensor]]]
Schedule: TypeAlias = Literal["plateau", "cosine", "constant"]


class TrainerConfig(BaseModel):
    """How a head is trained; the defaults are meant to work across data sets without tuning.

    Validated on construction (pydantic raises ``ValidationError``, a ``ValueError``; :func:`one_line` words it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    lr: float = Field(default=3e-3, gt=0, allow_inf_nan=False, description="Initial learning rate of AdamW.")
    weight_decay: float = Field(default=1e-4, ge=0, allow_inf_nan=False, description="AdamW's decoupled weight decay.")
    batch_size: int = Field(
        default=16,
        ge=1,
        description="Samples per gradient step (small batches: more updates on small data sets, which most sequence "
        "sets are).",
    )
    max_epochs: int | None = Field(
        default=None,
        ge=1,
        description="Upper bound on passes over the training set (None: none; the step budget and early stopping "
        "decide, so small data sets get many epochs and large ones few).",
    )
    max_steps: int = Field(
        default=2_000,
        ge=1,
        description="Upper bound on gradient steps (checked after each epoch), so large data sets train in minutes, "
        "not hours.",
    )
    min_steps: int = Field(
        default=1_000,
        ge=0,
        description="Gradient steps before early stopping may stop: a validation split of a handful of samples "
        "cannot end training after a few updates (``max_epochs`` still bounds training).",
    )
    patience: int = Field(
        default=30,
        ge=0,
        description="Stop after this many epochs without a better validation loss, once ``min_steps`` steps are "
        "done (0: never stop early).",
    )
    val_fraction: float = Field(
        default=0.2,
        ge=0,
        lt=1,
        description="Share of the training samples held out for early stopping (0: none; train ``max_epochs``).",
    )
    grad_clip: float = Field(
        default=1.0, ge=0, allow_inf_nan=False, description="Clip the global gradient norm to this (0: no clipping)."
    )
    schedule: Schedule = Field(
        default="plateau",
        description='``"plateau"`` halves the LR after ``patience // 3`` epochs without improvement (and at least '
        '``min_steps / 4`` steps); ``"cosine"`` anneals to 0 over the epoch budget; ``"constant"`` keeps it.',
    )
    seed: int = Field(
        default=0, description="Seeds weight initialisation, shuffling, dropout and the validation split."
    )
    device: str = Field(
        default="cpu", description='``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).'
    )
    progress: bool = Field(default=False, description="Show a progress bar over epochs.")
    log_dir: str | None = Field(
        default=None, description="Write TensorBoard scalars (loss, metrics, LR per epoch) here."
    )
    refit: bool = Field(
        default=True,
        description="After early stopping, retrain from the same initialisation on training + validation samples "
        "for the epochs that won (:meth:`SequenceTrainer.refit`): small data sets then lose nothing to the "
        "validation split.",
    )

    @field_validator("device")
    @classmethod
    def _known_device(cls, device: str) -> str:
        if not re.fullmatch(r"cpu|cuda(:\d+)?|auto", device):
            raise ValueError("expected 'cpu', 'cuda', 'cuda:N' or 'auto'")
        return device

    @property
    def torch_device(self) -> torch.device:
        """The device to train on, resolving ``"auto"``."""
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)


_BOUNDS = (
    ("greater than or equal to", ">="),
    ("greater than", ">"),
    ("less than or equal to", "<="),
    ("less than", "<"),
)


def one_line(error: ValidationError) -> str:
    """A pydantic error as one line, ``<field>=<value>: <what was expected>`` per bad field, joined by ``; ``.

    Pydantic's own text spans several lines per field; estimators (and scripts) report this instead.

    Example:
        >>> try:
        ...     TrainerConfig(lr=-1.0, patience=-1)
        ... except ValidationError as error:
        ...     print(one_line(error))
        lr=-1.0: expected > 0; patience=-1: expected >= 0
    """
    lines = []
    for details in error.errors():
        name = ".".join(map(str, details["loc"])) or error.title
        if details["type"] == "extra_forbidden":
            expected = f"not a field of {error.title}"
        else:
            expected = _expected(details["msg"].removeprefix("Value error, ").removeprefix("Input should be "))
        lines.append(f"{name}={details['input']!r}: {expected}")
    return "; ".join(lines)


def _expected(requirement: str) -> str:
    """Pydantic's requirement (``greater than 0``) as ``expected > 0``."""
    for words, symbol in _BOUNDS:
        if requirement.startswith(words):
            requirement = symbol + requirement.removeprefix(words)
            break
    return requirement if requirement.startswith("expected") else f"expected {requirement}"


@dataclass
class History:
    """Per-epoch scalars (``train/loss``, ``val/loss``, ``val/<metric>``, ``lr``) and the epoch whose weights won.

    ``best_epoch`` is -1 when no epoch beat the initial weights on validation.
    """

    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = -1


@contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """Run the block on torch's global generators seeded with ``seed``, then restore them as they were.

    Weight initialisation and dropout draw from torch's global generators; forking them keeps a fit deterministic
    without reseeding the caller's generators (scikit-learn's rule for ``random_state``).
    """
    devices = [torch.cuda.current_device() if device.index is None else device.index] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        for index in devices:  # only the training device: torch.manual_seed would reseed every GPU
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


class SequenceTrainer:
    """Minibatch AdamW training with validation-based early stopping and best-weights restore."""

    def __init__(self, config: TrainerConfig | None = None) -> None:
        self.config = config or TrainerConfig()

    def fit(self, module: nn.Module, step: StepFn, train: Batch, val: Batch | None = None) -> History:
        """Train ``module`` in place on ``train`` (tensors indexed by sample), stopping early on ``val``'s loss."""
        cfg = self.config
        train, val = self._to_device(module, train), self._to_device(module, val) if val is not None else None
        optimizer = self._optimizer(module)
        steps_per_epoch, epochs = math.ceil(train[0].shape[0] / cfg.batch_size), self.epoch_budget(train[0].shape[0])
        scheduler = self._scheduler(optimizer, epochs, steps_per_epoch)
        generator = torch.Generator().manual_seed(cfg.seed)
        writer = _writer(cfg.log_dir)
        history, best_loss, best_state, waited = History(), math.inf, None, 0
        if val is not None:  # the initial weights compete too: a head may start from a fitted model
            best_loss, best_state = evaluate_batches(module, step, val, cfg.batch_size * 8)["loss"], _copy_state(module)
        bar = tqdm(range(epochs), disable=not cfg.progress, desc="epochs", leave=False)
        for epoch in bar:
            scalars = {"train/loss": self._train_epoch(module, step, train, optimizer, generator)}
            scalars["lr"] = optimizer.param_groups[0]["lr"]
            if val is not None:
                scalars.update(
                    {f"val/{k}": v for k, v in evaluate_batches(module, step, val, cfg.batch_size * 8).items()}
                )
            monitored = scalars.get("val/loss", scalars["train/loss"])
            if monitored < best_loss:
                best_loss, best_state, waited, history.best_epoch = monitored, _copy_state(module), 0, epoch
            else:
                waited += 1
            history.epochs.append(scalars)
            _log(writer, scalars, epoch)
            bar.set_postfix({k: f"{v:.4g}" for k, v in scalars.items() if k != "lr"})
            _step_scheduler(scheduler, monitored)
            steps = (epoch + 1) * steps_per_epoch
            if val is not None and cfg.patience and waited >= cfg.patience and steps >= cfg.min_steps:
                break
        if best_state is not None and val is not None:
            module.load_state_dict(best_state)
        if writer is not None:
            writer.close()
        module.eval()
        return history

    def epoch_budget(self, n_samples: int) -> int:
        """Most epochs a fit on ``n_samples`` can run: ``max_epochs``, and enough to reach ``max_steps`` at most."""
        by_steps = math.ceil(self.config.max_steps / math.ceil(n_samples / self.config.batch_size))
        return by_steps if self.config.max_epochs is None else min(self.config.max_epochs, by_steps)

    def refit(self, module: nn.Module, step: StepFn, data: Batch, history: History) -> None:
        """Train a freshly initialised ``module`` on all ``data`` for the epochs up to ``history.best_epoch``.

        Each epoch replays the learning rate that epoch had in :meth:`fit`, so the run mirrors the one that early
        stopping picked, with the validation samples now learned from as well.
        """
        data = self._to_device(module, data)
        optimizer = self._optimizer(module)
        generator = torch.Generator().manual_seed(self.config.seed)
        for scalars in history.epochs[: history.best_epoch + 1]:
            for group in optimizer.param_groups:
                group["lr"] = scalars["lr"]
            self._train_epoch(module, step, data, optimizer, generator)
        module.eval()

    def _to_device(self, module: nn.Module, data: Batch) -> Batch:
        device = self.config.torch_device
        module.to(device)
        return tuple(t.to(device) for t in data)

    def _optimizer(self, module: nn.Module) -> torch.optim.Optimizer:
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise ValueError("The module has no trainable parameters (is everything frozen?)")
        return torch.optim.AdamW(params, lr=self.config.lr, weight_decay=self.config.weight_decay)

    def _scheduler(
        self, optimizer: torch.optim.Optimizer, epochs: int, steps_per_epoch: int
    ) -> torch.optim.lr_scheduler.LRScheduler | None:
        cfg = self.config
        if cfg.schedule == "plateau":
            patience = max(cfg.patience // 3, 1) if cfg.patience else 10
            patience = max(patience, math.ceil(cfg.min_steps / 4 / steps_per_epoch))  # in steps too, as is stopping
            return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=patience)
        if cfg.schedule == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
        return None

    def _train_epoch(
        self, module: nn.Module, step: StepFn, data: Batch, optimizer: torch.optim.Optimizer, generator: torch.Generator
    ) -> float:
        module.train()
        n = data[0].shape[0]
        order = torch.randperm(n, generator=generator).to(data[0].device)
        total = 0.0
        for begin in range(0, n, self.config.batch_size):
            index = order[begin : begin + self.config.batch_size]
            loss, _ = step(module, tuple(t[index] for t in data))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if self.config.grad_clip:
                nn.utils.clip_grad_norm_(module.parameters(), self.config.grad_clip)
            optimizer.step()
            total += float(loss.detach()) * index.numel()
        return total / n


@torch.no_grad()
def evaluate_batches(module: nn.Module, step: StepFn, data: Batch, batch_size: int = 256) -> dict[str, float]:
    """Sample-weighted means of the loss and metrics over ``data``, in eval mode; ``mse`` also gives ``rmse``."""
    module.eval()
    n = data[0].shape[0]
    sums: dict[str, float] = {}
    for begin in range(0, n, batch_size):
        batch = tuple(t[begin : begin + batch_size] for t in data)
        loss, metrics = step(module, batch)
        for key, value in {"loss": loss, **metrics}.items():
            sums[key] = sums.get(key, 0.0) + float(value) * batch[0].shape[0]
    means = {key: value / n for key, value in sums.items()}
    if "mse" in means:
        means["rmse"] = math.sqrt(means["mse"])
    return means


def _step_scheduler(scheduler: torch.optim.lr_scheduler.LRScheduler | None, monitored: float) -> None:
    """End of epoch: the plateau schedule reads the monitored loss, the others only count epochs."""
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(monitored)
    elif scheduler is not None:
        scheduler.step()


def _copy_state(module: nn.Module) -> dict[str, torch.Tensor]:
    return copy.deepcopy(module.state_dict())


def _writer(log_dir: str | None) -> Any:
    if log_dir is None:
        return None
    from torch.utils.tensorboard import SummaryWriter  # imported lazily: it pulls in TensorBoard

    return SummaryWriter(log_dir)


def _log(writer: Any, scalars: dict[str, float], epoch: int) -> None:
    if writer is not None:
        for key, value in scalars.items():
            writer.add_scalar(key, value, epoch)
