"""Sequence heads on the recurrent cores: many-to-one / many-to-many classification and direct multi-step forecasting.

Both heads run a :class:`SequenceEncoder` (optional per-step feature extractor, then a recurrent core) over a
time-major batch (T, B, F) in one fused call. Variable-length batches are padded at the end and described by
``lengths``: RNNs are causal, so outputs at real steps are exact, and the many-to-one features are gathered at each
sequence's last real step. Bidirectional heads run a second core over each sequence reversed within its own length,
so the backward direction never reads padding. ``episode_starts`` (T, B) lets one column carry several sequences back
to back (per-step labels on a stream of episodes), resetting the state at each start.

Example:
    >>> head = SequenceClassifier(input_size=3, n_classes=4, cell="lstm", hidden_size=16)
    >>> logits = head(torch.randn(20, 8, 3), lengths=torch.randint(5, 21, (8,)))
    >>> tuple(logits.shape)
    (8, 4)
    >>> forecaster = SequenceForecaster(input_size=2, horizon=6, lookback=24)
    >>> tuple(forecaster(torch.randn(24, 8, 2)).shape)
    (6, 8, 2)
"""

from __future__ import annotations

import copy
from typing import Any, Literal, TypeAlias

import torch
from stable_baselines3.common.preprocessing import preprocess_obs
from torch import nn

from policies.cores import CellType, RecurrentCore, make_core
from policies.downsample import ConvDownsample, Downsample

Pooling: TypeAlias = Literal["last", "mean", "max", "attention"]
POOLINGS: tuple[str, ...] = ("last", "mean", "max", "attention")


def step_mask(lengths: torch.Tensor | None, T: int, B: int, device: torch.device) -> torch.Tensor:
    """(T, B) boolean mask of real (non-padding) steps; all True when ``lengths`` is None."""
    if lengths is None:
        return torch.ones(T, B, dtype=torch.bool, device=device)
    return torch.arange(T, device=device).view(T, 1) < lengths.to(device).view(1, B)


def reverse_within(x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Reverse each column of a (T, B, ...) tensor within its length, leaving the padding in place (an involution)."""
    if lengths is None:
        return x.flip(0)
    T, B = x.shape[:2]
    t = torch.arange(T, device=x.device).view(T, 1)
    lengths = lengths.to(x.device).view(1, B)
    index = torch.where(t < lengths, lengths - 1 - t, t)  # (T, B)
    return x.gather(0, index.view(T, B, *([1] * (x.dim() - 2))).expand_as(x))


class PolicyFeatures(nn.Module):
    """A trained SB3 policy's features extractor as a per-step encoder: observations (N, *obs_shape) -> (N, F).

    Observations go through SB3's ``preprocess_obs`` first (one-hot for discrete spaces, image scaling), as in the
    policy's own ``extract_features``; only the extractor is kept, not the rest of the policy.
    """

    def __init__(self, extractor: nn.Module, observation_space: Any, normalize_images: bool = True) -> None:
        super().__init__()
        self.extractor, self.observation_space, self.normalize_images = extractor, observation_space, normalize_images

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.extractor(preprocess_obs(obs, self.observation_space, normalize_images=self.normalize_images))


class SequenceEncoder(nn.Module):
    """Optional per-step features, then a recurrent core (and a backward core when bidirectional).

    Args:
        core: the forward core.
        backward_core: a core run over each sequence reversed within its length; outputs are concatenated.
        features: module applied to every step's input, (T*B, *in_shape) -> (T*B, F), before the core.
    """

    def __init__(
        self, core: RecurrentCore, backward_core: RecurrentCore | None = None, features: nn.Module | None = None
    ) -> None:
        super().__init__()
        self.core, self.backward_core, self.features = core, backward_core, features
        self.output_size = core.output_size + (backward_core.output_size if backward_core is not None else 0)

    @classmethod
    def build(
        cls,
        input_size: int,
        cell: CellType = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        layer_norm: bool = False,
    ) -> SequenceEncoder:
        """A fresh encoder on raw features; ``dropout`` applies between stacked layers."""
        kwargs = {"dropout": dropout if num_layers > 1 else 0.0, "layer_norm": layer_norm}
        core = make_core(cell, input_size, hidden_size, num_layers, **kwargs)
        backward = make_core(cell, input_size, hidden_size, num_layers, **kwargs) if bidirectional else None
        return cls(core, backward)

    def forward(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None, episode_starts: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(T, B, *in_shape) -> outputs (T, B, D); padding steps hold outputs that callers must mask."""
        T, B = x.shape[:2]
        if self.features is not None:
            x = self.features(x.reshape(T * B, *x.shape[2:])).reshape(T, B, -1)  # (T*B, ...) -> (T, B, F)
        x = x.float()
        if episode_starts is None:
            episode_starts = x.new_zeros(T, B)
        out = self.core.outputs(x, self.core.initial_state(B, x.device), episode_starts)  # (T, B, H)
        if self.backward_core is None:
            return out
        if bool(episode_starts[1:].any()):
            raise ValueError("A bidirectional head cannot take episode_starts inside a sequence: use lengths")
        reversed_x = reverse_within(x, lengths)
        back = self.backward_core.outputs(reversed_x, self.backward_core.initial_state(B, x.device), episode_starts)
        return torch.cat([out, reverse_within(back, lengths)], dim=-1)  # (T, B, 2H)

    def freeze(self) -> None:
        """Stop gradients into the encoder; :meth:`SequenceClassifier.train` keeps it in eval mode."""
        self.requires_grad_(False)


def _policy_encoder(model: Any, freeze: bool) -> SequenceEncoder:
    """A copy of a RecurrentPPO policy's features extractor and actor core (the agent itself is never modified)."""
    policy = getattr(model, "policy", model)
    for name in ("actor_core", "pi_features_extractor", "observation_space"):
        if not hasattr(policy, name):
            raise TypeError(f"from_policy needs a RecurrentPPO model or policy with {name!r}, got {type(policy)!r}")
    features = PolicyFeatures(
        copy.deepcopy(policy.pi_features_extractor), policy.observation_space, getattr(policy, "normalize_images", True)
    )
    encoder = SequenceEncoder(copy.deepcopy(policy.actor_core), features=features)
    if freeze:
        encoder.freeze()
    return encoder


class _Head(nn.Module):
    """Shared by both heads: keeps a frozen encoder in eval mode (no dropout) while the head trains."""

    encoder: SequenceEncoder
    frozen: bool

    def train(self, mode: bool = True) -> _Head:
        super().train(mode)
        if self.frozen:
            self.encoder.eval()
        return self


class SequenceClassifier(_Head):
    """Logits for a whole sequence (many-to-one) or for every step (many-to-many, ``per_step=True``).

    Args:
        input_size: features per step, F.
        n_classes: outputs, C (also the number of targets when used as a regressor).
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        hidden_size: units per layer, H.
        num_layers: stacked layers.
        bidirectional: add a backward core (sequence models only; not with ``per_step`` streams of episodes).
        dropout: before the output layer, and between stacked layers.
        pooling: many-to-one features: ``"last"`` (output at the last real step, plus the backward core's output at
            the first step), ``"mean"`` or ``"max"`` over real steps, or ``"attention"`` (learned softmax weights).
        per_step: one set of logits per step instead of per sequence.
        layer_norm: layer norm on the core outputs.
        encoder: a prebuilt encoder (see :meth:`from_policy`); replaces the one built from the arguments above.
        stride: above 1, a :class:`~policies.downsample.ConvDownsample` front end (``hidden_size`` channels) turns
            every ``stride`` steps into one before the core (many-to-one only, not with ``episode_starts``).
        downsample: that front end's form, ``"pool"`` or ``"patch"`` (see :mod:`policies.downsample`).
    """

    def __init__(
        self,
        input_size: int,
        n_classes: int,
        cell: CellType = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        pooling: Pooling = "last",
        per_step: bool = False,
        layer_norm: bool = False,
        encoder: SequenceEncoder | None = None,
        stride: int = 1,
        downsample: Downsample = "pool",
    ) -> None:
        super().__init__()
        if int(stride) > 1 and (per_step or encoder is not None):
            raise ValueError(f"stride={stride} shortens sequences: not with per_step labels or a prebuilt encoder")
        front = ConvDownsample(input_size, hidden_size, int(stride), downsample) if int(stride) > 1 else None
        self.downsample = front
        input_size = hidden_size if self.downsample is not None else input_size
        if pooling not in POOLINGS:
            raise ValueError(f"Unknown pooling {pooling!r}: expected one of {', '.join(map(repr, POOLINGS))}")
        if int(n_classes) < 1:
            raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
        if encoder is None:
            args = (input_size, cell, hidden_size, num_layers, dropout, bidirectional, layer_norm)
            encoder = SequenceEncoder.build(*args)
        self.encoder, self.frozen = encoder, not any(p.requires_grad for p in encoder.parameters())
        self.pooling, self.per_step = pooling, bool(per_step)
        D = encoder.output_size
        self.attention = nn.Linear(D, 1) if pooling == "attention" else None
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(D, int(n_classes))

    @classmethod
    def from_policy(cls, model: Any, n_classes: int, freeze: bool = True, **kwargs: Any) -> SequenceClassifier:
        """A classifier on (a copy of) a trained RecurrentPPO policy's features extractor and actor core.

        Inputs are then raw observations, (T, B, *obs_shape). With ``freeze`` only the output layer trains: a probe
        of what the agent's memory holds. ``kwargs`` go to the constructor (``pooling``, ``per_step``, ``dropout``).
        """
        return cls(0, n_classes, encoder=_policy_encoder(model, freeze), **kwargs)

    def forward(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None, episode_starts: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(T, B, *in_shape) -> logits (B, C), or (T, B, C) when ``per_step``."""
        if self.downsample is not None:
            if episode_starts is not None and bool(episode_starts[1:].any()):
                raise ValueError("A downsampling head cannot take episode_starts inside a sequence: use lengths")
            x, lengths = self.downsample(x, lengths)  # (T, B, F) -> (T / stride, B, H)
            episode_starts = None
        out = self.encoder(x, lengths, episode_starts)  # (T, B, D)
        if self.per_step:
            return self.out(self.dropout(out))
        return self.out(self.dropout(self.pool(out, lengths)))  # (B, D) -> (B, C)

    def pool(self, out: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """Many-to-one features from the outputs of real steps: (T, B, D) -> (B, D)."""
        T, B, _ = out.shape
        mask = step_mask(lengths, T, B, out.device).unsqueeze(-1)  # (T, B, 1)
        if self.pooling == "last":
            last = (lengths.to(out.device) - 1) if lengths is not None else torch.full((B,), T - 1, device=out.device)
            forward = out[last, torch.arange(B, device=out.device)]  # (B, D)
            if self.encoder.backward_core is None:
                return forward
            H = self.encoder.core.output_size
            return torch.cat([forward[:, :H], out[0, :, H:]], dim=-1)  # backward direction ends at t = 0
        if self.pooling == "mean":
            return (out * mask).sum(0) / mask.sum(0).clamp(min=1)
        if self.pooling == "max":
            return out.masked_fill(~mask, float("-inf")).max(0).values
        assert self.attention is not None
        scores = self.attention(out).masked_fill(~mask, float("-inf"))  # (T, B, 1)
        return (torch.softmax(scores, dim=0) * out).sum(0)


class SequenceForecaster(_Head):
    """Direct multi-horizon forecaster: a lookback window (T, B, F) -> the next ``horizon`` steps (H, B, F_out).

    The encoder reads the window (target channels, then any covariates known in the past); a linear layer maps its
    final output, with the known future covariates when given, to all ``horizon`` steps at once. With ``lookback``
    set, a linear map of the window's target channels is added (an autoregressive "highway", as in LSTNet), and the
    recurrent path's output layer starts at zero: the head starts as a linear direct AR model (which
    :class:`~agents.sequence.RecurrentForecaster` fits in closed form) and the recurrent part learns what is
    nonlinear.

    Args:
        input_size: channels per step of the window, F (targets first, then covariates).
        horizon: steps predicted at once.
        lookback: window length, needed for the linear highway (None: no highway).
        covariate_size: channels of known future covariates, C (0: none).
        output_size: target channels, F_out (default ``input_size - covariate_size``).
        cell, hidden_size, num_layers, dropout, layer_norm: as for :class:`SequenceClassifier`.
        encoder: a prebuilt encoder (see :meth:`from_policy`).
    """

    def __init__(
        self,
        input_size: int,
        horizon: int,
        lookback: int | None = None,
        covariate_size: int = 0,
        output_size: int | None = None,
        cell: CellType = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        layer_norm: bool = False,
        encoder: SequenceEncoder | None = None,
    ) -> None:
        super().__init__()
        if int(horizon) < 1:
            raise ValueError(f"horizon must be >= 1, got {horizon!r}")
        self.horizon, self.covariate_size = int(horizon), int(covariate_size)
        self.output_size = int(output_size) if output_size is not None else int(input_size) - self.covariate_size
        if self.output_size < 1:
            raise ValueError(f"output_size must be >= 1, got {self.output_size} (input_size {input_size!r})")
        if encoder is None:
            encoder = SequenceEncoder.build(input_size, cell, hidden_size, num_layers, dropout, False, layer_norm)
        self.encoder, self.frozen = encoder, not any(p.requires_grad for p in encoder.parameters())
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(encoder.output_size + self.horizon * self.covariate_size, self.horizon * self.output_size)
        self.highway = nn.Linear(int(lookback), self.horizon) if lookback is not None else None
        if self.highway is not None:
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)

    @classmethod
    def from_policy(
        cls, model: Any, output_size: int, horizon: int = 1, freeze: bool = True, **kwargs: Any
    ) -> SequenceForecaster:
        """A forecaster on (a copy of) a trained RecurrentPPO policy's memory, predicting ``output_size`` channels.

        Inputs are raw observations, (T, B, *obs_shape); ``horizon`` 1 reads out a quantity the agent does not
        observe, such as the hidden velocities of a masked CartPole.
        """
        return cls(0, horizon, output_size=output_size, encoder=_policy_encoder(model, freeze), **kwargs)

    def forward(self, x: torch.Tensor, future_covariates: torch.Tensor | None = None) -> torch.Tensor:
        """Window (T, B, *in_shape) and covariates (H, B, C) -> forecast (H, B, F_out)."""
        B = x.shape[1]
        features = self.dropout(self.encoder(x)[-1])  # (B, D)
        if self.covariate_size:
            expected = (self.horizon, B, self.covariate_size)
            if future_covariates is None or future_covariates.shape != expected:
                got = None if future_covariates is None else tuple(future_covariates.shape)
                raise ValueError(f"future_covariates must have shape {expected}, got {got}")
            features = torch.cat([features, future_covariates.transpose(0, 1).reshape(B, -1)], dim=-1)
        y = self.out(features).view(B, self.horizon, self.output_size).transpose(0, 1)  # (H, B, F_out)
        if self.highway is not None:
            window = x[:, :, : self.output_size].float()  # (T, B, F_out)
            y = y + self.highway(window.permute(1, 2, 0)).permute(2, 0, 1)  # (B, F_out, T) -> (H, B, F_out)
        return y
