"""Frame sequences on the recurrent cores: shapes, one batched CNN call, padding frames never read, input checks."""

import pytest
import torch

from policies.cores import CELLS
from policies.extractors import ImageCNN
from policies.frames import FrameFeatures, frame_encoder
from policies.heads import POOLINGS, SequenceClassifier


@pytest.mark.parametrize("frame_shape", [(1, 8, 8), (3, 16, 12), (1, 40, 40)])
def test_encoder_shapes_for_small_and_nature_cnn_frames(frame_shape):
    encoder = frame_encoder(frame_shape, hidden_size=8, bidirectional=True)
    assert isinstance(encoder.features, FrameFeatures)
    assert isinstance(encoder.features.cnn, ImageCNN)
    assert encoder(torch.randn(5, 2, *frame_shape)).shape == (5, 2, 16)  # (T, B, 2H)


def test_every_frame_goes_through_the_cnn_in_one_call():
    encoder = frame_encoder((1, 8, 8), hidden_size=8)
    calls = []
    encoder.features.cnn.register_forward_hook(lambda module, args, out: calls.append(tuple(args[0].shape)))
    encoder(torch.randn(6, 3, 1, 8, 8))  # (T, B, C, H, W)
    assert calls == [(18, 1, 8, 8)]  # (T*B, C, H, W)


def test_features_are_those_of_each_frame_alone():
    """No batch statistics: a frame's features do not depend on the other frames in the batch."""
    features = FrameFeatures((1, 8, 8), 8).eval()
    frames = torch.randn(4, 1, 8, 8)
    together = features(frames)
    for i in range(4):
        torch.testing.assert_close(together[i : i + 1], features(frames[i : i + 1]), atol=1e-6, rtol=0)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("cell", CELLS)
def test_padding_frames_never_change_a_clip_logits(cell, pooling, bidirectional):
    """Each clip of a padded batch gets the logits it gets alone, whatever the padding frames hold."""
    torch.manual_seed(0)
    encoder = frame_encoder((1, 8, 8), cell, hidden_size=8, bidirectional=bidirectional)
    head = SequenceClassifier(0, 3, encoder=encoder, pooling=pooling).eval()
    lengths = torch.tensor([6, 2, 4])
    padding = (torch.arange(6).view(6, 1) >= lengths.view(1, 3)).view(6, 3, 1, 1, 1)
    x = torch.where(padding, 0.0, torch.randn(6, 3, 1, 8, 8))
    loud = torch.where(padding, 100.0 * torch.randn_like(x), x)
    batched, batched_loud = head(x, lengths), head(loud, lengths)
    assert batched.shape == (3, 3)
    torch.testing.assert_close(batched_loud, batched, atol=1e-5, rtol=0)
    for b, length in enumerate(lengths.tolist()):
        torch.testing.assert_close(batched[b : b + 1], head(x[:length, b : b + 1]), atol=1e-5, rtol=0)


def test_per_step_logits_of_real_frames_ignore_the_padding():
    torch.manual_seed(0)
    head = SequenceClassifier(0, 2, encoder=frame_encoder((1, 8, 8), hidden_size=8), per_step=True).eval()
    x = torch.randn(5, 2, 1, 8, 8)
    changed = x.clone()
    changed[3:, 1] = 50.0  # clip 1 has 3 real frames
    lengths = torch.tensor([5, 3])
    torch.testing.assert_close(head(changed, lengths)[:3, 1], head(x, lengths)[:3, 1])


def test_gradients_reach_the_cnn():
    encoder = frame_encoder((1, 8, 8), hidden_size=8)
    encoder(torch.randn(4, 2, 1, 8, 8)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in encoder.features.parameters())


def test_bad_frames_raise_named_errors():
    with pytest.raises(ValueError, match=r"frame_shape must be \(C, H, W\) with positive sides, got \(8, 8\)"):
        FrameFeatures((8, 8))
    encoder = frame_encoder((1, 8, 8), hidden_size=8)
    with pytest.raises(ValueError, match=r"frames must be \(N, \*\(1, 8, 8\)\), got shape \(6, 1, 8, 9\)"):
        encoder(torch.randn(3, 2, 1, 8, 9))
