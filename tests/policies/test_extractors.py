"""Image features extractors: NatureCNN from 36x36 up, a 3x3 stack below; Dict observations with small images."""

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.preprocessing import preprocess_obs
from stable_baselines3.common.torch_layers import NatureCNN
from torch import nn

from policies.extractors import NATURE_CNN_MIN_SIDE, ImageCNN, MultiInputExtractor


def image_space(channels: int, height: int, width: int) -> spaces.Box:
    return spaces.Box(0, 255, (channels, height, width), np.uint8)


@pytest.mark.parametrize(
    ("shape", "nature"),
    [((3, 36, 36), True), ((1, 84, 84), True), ((3, 35, 35), False), ((3, 36, 20), False), ((3, 7, 7), False)],
)
def test_image_cnn_picks_nature_cnn_from_36_pixels(shape, nature):
    extractor = ImageCNN(image_space(*shape), features_dim=32)
    assert isinstance(extractor.cnn, NatureCNN) == nature
    if not nature:
        kernels = {m.kernel_size for m in extractor.cnn.modules() if isinstance(m, nn.Conv2d)}
        assert kernels == {(3, 3)}
    features = extractor(torch.zeros(5, *shape))
    assert features.shape == (5, 32)
    assert extractor.features_dim == 32


def test_nature_cnn_threshold_is_its_smallest_input():
    """NatureCNN's 8x8 stride-4, 4x4 stride-2, 3x3 stack needs 36 pixels; one fewer fails, so ImageCNN switches."""
    NatureCNN(image_space(1, NATURE_CNN_MIN_SIDE, NATURE_CNN_MIN_SIDE))
    with pytest.raises(RuntimeError):
        NatureCNN(image_space(1, NATURE_CNN_MIN_SIDE - 1, NATURE_CNN_MIN_SIDE - 1))


def test_image_cnn_defaults_to_nature_cnns_512_features():
    assert ImageCNN(image_space(3, 7, 7)).features_dim == 512
    assert ImageCNN(image_space(3, 40, 40)).features_dim == NatureCNN(image_space(3, 40, 40)).features_dim


def test_small_image_stack_keeps_the_resolution_below_8_pixels():
    """The last 3x3 convolution strides by 2 only when the image has 8 pixels a side or more."""
    strides = {}
    for side in (5, 8):
        convs = [m for m in ImageCNN(image_space(3, side, side)).cnn.modules() if isinstance(m, nn.Conv2d)]
        strides[side] = convs[-1].stride
    assert strides == {5: (1, 1), 8: (2, 2)}


def test_multi_input_extractor_dims():
    """Images through ImageCNN (cnn_output_dim each), everything else flattened (Discrete one-hot)."""
    space = spaces.Dict(
        {
            "img": image_space(3, 7, 7),
            "big": image_space(1, 40, 40),
            "vec": spaces.Box(-1.0, 1.0, (2, 3), np.float32),
            "tag": spaces.Discrete(4),
        }
    )
    extractor = MultiInputExtractor(space, cnn_output_dim=16)
    assert extractor.features_dim == 16 + 16 + 6 + 4
    assert isinstance(extractor.extractors["img"], ImageCNN)
    assert isinstance(extractor.extractors["big"].cnn, NatureCNN)
    assert isinstance(extractor.extractors["vec"], nn.Flatten)
    observations = {key: torch.as_tensor(np.stack([sub.sample() for _ in range(3)])) for key, sub in space.items()}
    features = extractor(preprocess_obs(observations, space))
    assert features.shape == (3, extractor.features_dim)


def test_image_cnn_refuses_vector_observations():
    with pytest.raises(ValueError, match=r"needs an image observation space \(C, H, W\), got Box"):
        ImageCNN(spaces.Box(-1.0, 1.0, (4,), np.float32))
