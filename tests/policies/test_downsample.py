"""The convolutional front ends ("pool", "patch"): shapes and lengths for variable lengths, padding never read."""

import pytest
import torch

from policies.downsample import ConvDownsample, downsampled_lengths
from policies.heads import SequenceClassifier


@pytest.mark.parametrize("mode", ["pool", "patch"])
def test_shapes_and_lengths_for_variable_lengths(mode):
    front = ConvDownsample(in_channels=3, out_channels=5, stride=4, mode=mode)
    lengths = torch.tensor([13, 12, 4, 1])
    y, out_lengths = front(torch.randn(13, 4, 3), lengths)
    assert tuple(y.shape) == (4, 4, 5)  # ceil(13 / 4) steps
    assert out_lengths.tolist() == [4, 3, 1, 1]
    assert downsampled_lengths(torch.arange(1, 9), 4).tolist() == [1, 1, 1, 1, 2, 2, 2, 2]
    y, none = front(torch.randn(8, 2, 3))
    assert tuple(y.shape) == (2, 2, 5)
    assert none is None


def test_each_output_step_reads_its_own_window_and_never_the_padding():
    torch.manual_seed(0)
    front = ConvDownsample(in_channels=2, out_channels=4, stride=3, mode="patch")
    x = torch.randn(10, 1, 2)
    alone, _ = front(x[:7], torch.tensor([7]))
    padded = torch.cat([x[:7], 100 * torch.randn(3, 1, 2)])  # junk where the batch pads the sequence
    in_batch, lengths = front(padded, torch.tensor([7]))
    torch.testing.assert_close(in_batch[: int(lengths[0])], alone)
    changed = x.clone()
    changed[3:6] += 1.0  # the second window only
    y, _ = front(x)
    y_changed, _ = front(changed)
    assert torch.equal(y[0], y_changed[0])
    assert not torch.equal(y[1], y_changed[1])
    assert torch.equal(y[2:], y_changed[2:])


def test_pooled_windows_read_their_neighbours_only_and_never_the_padding():
    torch.manual_seed(0)
    front = ConvDownsample(in_channels=2, out_channels=4, stride=3)  # "pool": kernel 7, max over 3 steps
    x = torch.randn(15, 1, 2)
    alone, _ = front(x[:8], torch.tensor([8]))
    padded = torch.cat([x[:8], 100 * torch.randn(7, 1, 2)])  # junk where the batch pads the sequence
    in_batch, lengths = front(padded, torch.tensor([8]))
    assert int(lengths[0]) == 3
    torch.testing.assert_close(in_batch[:3], alone)
    assert torch.isfinite(in_batch).all()
    assert not in_batch[3:].any()  # windows wholly past the end are zero
    changed = x.clone()
    changed[7] += 1.0  # step 7 is in window 2; kernels centred on steps 4..10 read it: windows 1, 2 and 3
    y, _ = front(x)
    y_changed, _ = front(changed)
    assert torch.equal(y[0], y_changed[0])
    assert torch.equal(y[4], y_changed[4])
    assert not torch.equal(y[1:4], y_changed[1:4])


@pytest.mark.parametrize("mode", ["pool", "patch"])
def test_a_downsampling_classifier_gives_each_sequence_the_same_logits_in_any_batch(mode):
    torch.manual_seed(0)
    head = SequenceClassifier(2, 3, hidden_size=8, stride=5, bidirectional=True, downsample=mode).eval()
    x = torch.randn(23, 3, 2)
    lengths = torch.tensor([23, 11, 4])
    batch = head(x, lengths)
    for b, length in enumerate(lengths.tolist()):
        alone = head(x[:length, b : b + 1], torch.tensor([length]))
        torch.testing.assert_close(batch[b : b + 1], alone)


def test_stride_is_refused_where_steps_must_stay_steps():
    with pytest.raises(ValueError, match="stride=2 shortens sequences: not with per_step labels"):
        SequenceClassifier(2, 3, per_step=True, stride=2)
    with pytest.raises(ValueError, match="stride must be a positive integer, got 0"):
        ConvDownsample(2, 3, stride=0)
    with pytest.raises(ValueError, match="downsample='mean': expected one of 'pool', 'patch'"):
        ConvDownsample(2, 3, stride=2, mode="mean")
