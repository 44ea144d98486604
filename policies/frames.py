"""Frame sequences (video) on the recurrent cores: a per-frame CNN in the ``features`` slot of a SequenceEncoder.

:class:`FrameFeatures` is :class:`~policies.extractors.ImageCNN` (3x3 convolutions below 36 pixels, NatureCNN
above) on float frames. :class:`~policies.heads.SequenceEncoder` reshapes a (T, B, C, H, W) batch to (T*B, C, H, W),
runs it in one call and reshapes the features back to (T, B, F) before the core, so every frame of every clip goes
through the CNN at once. Frames are encoded independently (no batch statistics), so a padding frame changes only
its own step's features, which the causal core and the heads' masks keep away from real outputs.

Example:
    >>> encoder = frame_encoder((1, 16, 16), hidden_size=32)
    >>> tuple(encoder(torch.randn(10, 4, 1, 16, 16)).shape)
    (10, 4, 32)
"""

from __future__ import annotations

import numpy as np
import torch
from gymnasium import spaces
from torch import nn

from policies.cores import CellType
from policies.extractors import ImageCNN
from policies.heads import SequenceEncoder


class FrameFeatures(nn.Module):
    """One frame's features: (N, C, H, W) float frames, any scale -> (N, F) with ImageCNN.

    Args:
        frame_shape: (C, H, W), channel first.
        features_dim: F.
    """

    def __init__(self, frame_shape: tuple[int, ...], features_dim: int = 64) -> None:
        super().__init__()
        if len(frame_shape) != 3 or min(frame_shape) < 1:
            raise ValueError(f"frame_shape must be (C, H, W) with positive sides, got {tuple(frame_shape)}")
        self.frame_shape = tuple(int(d) for d in frame_shape)
        space = spaces.Box(-np.inf, np.inf, self.frame_shape, np.float32)  # standardized pixels: no uint8 check
        self.cnn = ImageCNN(space, int(features_dim), normalized_image=True)
        self.features_dim = int(features_dim)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        if tuple(frames.shape[1:]) != self.frame_shape:
            raise ValueError(f"frames must be (N, *{self.frame_shape}), got shape {tuple(frames.shape)}")
        return self.cnn(frames.float())  # (N, C, H, W) -> (N, F)


def frame_encoder(
    frame_shape: tuple[int, ...],
    cell: CellType = "gru",
    hidden_size: int = 64,
    num_layers: int = 1,
    dropout: float = 0.0,
    bidirectional: bool = False,
    layer_norm: bool = False,
    features_dim: int | None = None,
) -> SequenceEncoder:
    """A SequenceEncoder on frames: (T, B, C, H, W) -> (T, B, D); the CNN gives ``features_dim`` (default
    ``hidden_size``) features per frame to the core. Other arguments as :meth:`SequenceEncoder.build`."""
    features = FrameFeatures(frame_shape, features_dim or hidden_size)
    args = (cell, hidden_size, num_layers, dropout, bidirectional, layer_norm)
    base = SequenceEncoder.build(features.features_dim, *args)
    return SequenceEncoder(base.core, base.backward_core, features=features)
