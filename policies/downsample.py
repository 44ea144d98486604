"""A strided 1-D convolution that shortens long sequences before a recurrent core.

Recurrent cores trained through hundreds of steps of backpropagation through time learn slowly and forget the
start; a convolution whose kernel and stride are both ``stride`` turns every ``stride`` consecutive steps into one
step of learned features (a patch embedding), so the core sees ``ceil(T / stride)`` steps.

Example:
    >>> front = ConvDownsample(in_channels=2, out_channels=8, stride=4)
    >>> y, lengths = front(torch.randn(10, 3, 2), torch.tensor([10, 7, 1]))
    >>> tuple(y.shape), lengths.tolist()
    ((3, 3, 8), [3, 2, 1])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def downsampled_lengths(lengths: torch.Tensor, stride: int) -> torch.Tensor:
    """Steps left of each sequence after :class:`ConvDownsample`: ``ceil(length / stride)``."""
    return torch.div(lengths + stride - 1, stride, rounding_mode="floor")


class ConvDownsample(nn.Module):
    """Non-overlapping windows of ``stride`` steps -> one step of ``out_channels`` features (convolution, GELU).

    Output step j reads input steps ``[j * stride, (j + 1) * stride)`` of its own sequence only: padding steps are
    zeroed first, so a sequence's output is the same whatever the padding of its batch, and its last window, cut
    short by its length, reads zeros beyond it.

    Args:
        in_channels: features per input step, F.
        out_channels: features per output step, C.
        stride: input steps per output step (kernel size too).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        if int(stride) < 1:
            raise ValueError(f"stride must be a positive integer, got {stride!r}")
        self.stride = int(stride)
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size=self.stride, stride=self.stride)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(T, B, F) and lengths (B,) -> (ceil(T / stride), B, C) and the downsampled lengths."""
        T, B, _ = x.shape
        x = x.float()
        if lengths is not None:
            real = torch.arange(T, device=x.device).view(T, 1) < lengths.to(x.device).view(1, B)  # (T, B)
            x = x * real.unsqueeze(-1)
        padded = F.pad(x.permute(1, 2, 0), (0, (-T) % self.stride))  # (T, B, F) -> (B, F, T'*stride)
        y = F.gelu(self.conv(padded)).permute(2, 0, 1)  # (B, C, T') -> (T', B, C)
        return y, None if lengths is None else downsampled_lengths(lengths, self.stride)
