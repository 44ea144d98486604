"""Features extractors for image observations of any size, alone or inside a Dict observation.

SB3's ``NatureCNN`` needs images of at least 36x36 (its 8x8 stride-4 kernel); grid worlds such as MiniGrid give
7x7x3. ``ImageCNN`` keeps NatureCNN for large images and switches to 3x3 kernels for small ones.
"""

from __future__ import annotations

import gymnasium as gym
import torch
from gymnasium import spaces
from stable_baselines3.common.preprocessing import get_flattened_obs_dim, is_image_space
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor, NatureCNN
from torch import nn

NATURE_CNN_MIN_SIDE = 36


class ImageCNN(BaseFeaturesExtractor):
    """NatureCNN for images whose sides are all >= 36 pixels, a small 3x3 convolution stack otherwise.

    Args:
        observation_space: a Box image space, channel first (SB3 transposes channel-last images for us).
        features_dim: output features (512, NatureCNN's default).
        normalized_image: images are already in [0, 1] (skips SB3's uint8 check).
    """

    def __init__(self, observation_space: gym.Space, features_dim: int = 512, normalized_image: bool = False) -> None:
        super().__init__(observation_space, features_dim)
        if not isinstance(observation_space, spaces.Box) or len(observation_space.shape) != 3:
            raise ValueError(
                f"ImageCNN (the Cnn*Policy extractor) needs an image observation space (C, H, W), got "
                f"{observation_space}: use an Mlp*Policy for vector observations"
            )
        channels, height, width = observation_space.shape
        if min(height, width) >= NATURE_CNN_MIN_SIDE:
            self.cnn: nn.Module = NatureCNN(observation_space, features_dim, normalized_image)
            return
        convs = nn.Sequential(
            nn.Conv2d(channels, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, kernel_size=3, stride=2 if min(height, width) >= 8 else 1, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        with torch.no_grad():
            n_flat = convs(torch.zeros(1, *observation_space.shape)).shape[1]
        self.cnn = nn.Sequential(convs, nn.Linear(n_flat, features_dim), nn.ReLU())

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.cnn(observations)


class MultiInputExtractor(BaseFeaturesExtractor):
    """SB3's ``CombinedExtractor`` with :class:`ImageCNN` for image entries, so small images work too."""

    def __init__(self, observation_space: spaces.Dict, cnn_output_dim: int = 256, normalized_image: bool = False):
        super().__init__(observation_space, features_dim=1)
        extractors: dict[str, nn.Module] = {}
        total = 0
        for key, subspace in observation_space.spaces.items():
            if is_image_space(subspace, normalized_image=normalized_image):
                extractors[key] = ImageCNN(subspace, cnn_output_dim, normalized_image)
                total += cnn_output_dim
            else:
                extractors[key] = nn.Flatten()
                total += int(get_flattened_obs_dim(subspace))
        self.extractors = nn.ModuleDict(extractors)
        self._features_dim = total

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.cat([extractor(observations[key]) for key, extractor in self.extractors.items()], dim=1)
