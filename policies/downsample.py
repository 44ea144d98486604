"""A convolutional front end that shortens long sequences before a recurrent core.

Recurrent cores trained through hundreds of steps of backpropagation through time learn slowly and forget the
start; the front end turns every ``stride`` consecutive steps into one step of learned features, so the core sees
``ceil(T / stride)`` steps. Two forms:

- ``"patch"``: one convolution whose kernel and stride are both ``stride`` (a patch embedding): each window maps
  linearly to its features, so a short event (a spike) reads differently at each offset inside its window.
- ``"pool"``: a convolution at every step whose kernel spans ``2 * stride + 1`` steps (its window and half of each
  neighbour), then the maximum of each feature over the window's ``stride`` steps: a filter that matches an event
  fires wherever the event falls in its window, at the cost of a convolution over every input step.

Example:
    >>> front = ConvDownsample(in_channels=2, out_channels=8, stride=4)
    >>> y, lengths = front(torch.randn(10, 3, 2), torch.tensor([10, 7, 1]))
    >>> tuple(y.shape), lengths.tolist()
    ((3, 3, 8), [3, 2, 1])
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import torch
import torch.nn.functional as F
from torch import nn

Downsample: TypeAlias = Literal["pool", "patch"]
DOWNSAMPLES: tuple[str, ...] = ("pool", "patch")


def downsampled_lengths(lengths: torch.Tensor, stride: int) -> torch.Tensor:
    """Steps left of each sequence after :class:`ConvDownsample`: ``ceil(length / stride)``."""
    return torch.div(lengths + stride - 1, stride, rounding_mode="floor")


class ConvDownsample(nn.Module):
    """Windows of ``stride`` steps -> one step of ``out_channels`` features (see the module's two forms).

    Output step j summarises input steps ``[j * stride, (j + 1) * stride)`` of its own sequence only (``"pool"``
    also reads up to ``stride`` steps on either side): padding steps are zeroed first and, for ``"pool"``, left out
    of the maximum, so a sequence's output is the same whatever the padding of its batch.

    Args:
        in_channels: features per input step, F.
        out_channels: features per output step, C.
        stride: input steps per output step.
        mode: ``"pool"`` (the default) or ``"patch"``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, mode: Downsample = "pool") -> None:
        super().__init__()
        if int(stride) < 1:
            raise ValueError(f"stride must be a positive integer, got {stride!r}")
        if mode not in DOWNSAMPLES:
            raise ValueError(f"downsample={mode!r}: expected one of {', '.join(map(repr, DOWNSAMPLES))}")
        self.stride, self.mode = int(stride), mode
        if mode == "patch":
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size=self.stride, stride=self.stride)
        else:
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size=2 * self.stride + 1, padding=self.stride)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(T, B, F) and lengths (B,) -> (ceil(T / stride), B, C) and the downsampled lengths."""
        T, B, _ = x.shape
        x = x.float()
        real = None
        if lengths is not None:
            real = torch.arange(T, device=x.device).view(T, 1) < lengths.to(x.device).view(1, B)  # (T, B)
            x = x * real.unsqueeze(-1)
        pad = (-T) % self.stride
        out_lengths = None if lengths is None else downsampled_lengths(lengths, self.stride)
        if self.mode == "patch":
            padded = F.pad(x.permute(1, 2, 0), (0, pad))  # (T, B, F) -> (B, F, T'*stride)
            return F.gelu(self.conv(padded)).permute(2, 0, 1), out_lengths  # (B, C, T') -> (T', B, C)
        y = F.gelu(self.conv(x.permute(1, 2, 0)))  # (B, F, T) -> (B, C, T), one output per input step
        if real is not None:  # padding steps must not win the maximum
            y = y.masked_fill(~real.T.unsqueeze(1), float("-inf"))
        y = F.max_pool1d(F.pad(y, (0, pad), value=float("-inf")), self.stride)  # (B, C, T') over each window
        y = y.permute(2, 0, 1)  # (T', B, C)
        if real is not None:  # windows wholly past a sequence's end hold -inf: zero them
            y = y.masked_fill(torch.isinf(y), 0.0)
        return y, out_lengths
