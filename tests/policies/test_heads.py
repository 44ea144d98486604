"""Sequence heads: shapes for every cell and pooling, exactness under padding and resets, input checks."""

import pytest
import torch

from policies.cores import CELLS
from policies.heads import POOLINGS, SequenceClassifier, SequenceForecaster, reverse_within


def test_reverse_within_is_an_involution_that_keeps_padding():
    x = torch.arange(12.0).view(4, 3, 1)  # (T, B, 1)
    lengths = torch.tensor([4, 2, 1])
    reversed_x = reverse_within(x, lengths)
    assert reversed_x[:, 0, 0].tolist() == [9.0, 6.0, 3.0, 0.0]
    assert reversed_x[:, 1, 0].tolist() == [4.0, 1.0, 7.0, 10.0]  # two real steps swapped, padding in place
    torch.testing.assert_close(reverse_within(reversed_x, lengths), x)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("cell", CELLS)
def test_padding_never_changes_a_sequence_logits(cell, pooling, bidirectional):
    """Each sequence of a padded batch gets the logits it gets alone: padding is never read."""
    torch.manual_seed(0)
    head = SequenceClassifier(3, 4, cell=cell, hidden_size=8, bidirectional=bidirectional, pooling=pooling).eval()
    lengths = torch.tensor([7, 3, 5])
    x = torch.randn(7, 3, 3) * (torch.arange(7).view(7, 1, 1) < lengths.view(1, 3, 1))
    x = x + 100.0 * (torch.arange(7).view(7, 1, 1) >= lengths.view(1, 3, 1))  # loud padding
    batched = head(x, lengths)
    assert batched.shape == (3, 4)
    for b, length in enumerate(lengths.tolist()):
        alone = head(x[:length, b : b + 1])
        torch.testing.assert_close(batched[b : b + 1], alone, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_per_step_logits_reset_at_episode_starts(cell):
    """Two sequences back to back in one column, split by episode_starts, equal the two run separately."""
    torch.manual_seed(0)
    head = SequenceClassifier(2, 3, cell=cell, hidden_size=8, num_layers=2, per_step=True).eval()
    first, second = torch.randn(4, 1, 2), torch.randn(5, 1, 2)
    starts = torch.zeros(9, 1)
    starts[4] = 1
    stream = head(torch.cat([first, second]), episode_starts=starts)
    assert stream.shape == (9, 1, 3)
    torch.testing.assert_close(stream[:4], head(first), atol=1e-5, rtol=0)
    torch.testing.assert_close(stream[4:], head(second), atol=1e-5, rtol=0)


def test_bidirectional_rejects_resets_inside_a_sequence():
    head = SequenceClassifier(2, 3, bidirectional=True, per_step=True)
    starts = torch.zeros(5, 2)
    starts[2, 0] = 1
    with pytest.raises(ValueError, match="bidirectional head cannot take episode_starts"):
        head(torch.randn(5, 2, 2), episode_starts=starts)


def test_classifier_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Unknown pooling 'sum'"):
        SequenceClassifier(2, 3, pooling="sum")
    with pytest.raises(ValueError, match="n_classes must be a positive integer"):
        SequenceClassifier(2, 0)
    with pytest.raises(ValueError, match="Unknown cell type 'tcn'"):
        SequenceClassifier(2, 3, cell="tcn")


@pytest.mark.parametrize("cell", CELLS)
def test_forecaster_shapes_with_covariates_and_highway(cell):
    head = SequenceForecaster(input_size=3, horizon=6, lookback=10, covariate_size=1, cell=cell, hidden_size=8)
    assert head.output_size == 2
    y = head(torch.randn(10, 4, 3), future_covariates=torch.randn(6, 4, 1))
    assert y.shape == (6, 4, 2)
    y.sum().backward()
    assert all(p.grad is not None for p in head.parameters())


def test_forecaster_checks_horizon_and_covariates():
    with pytest.raises(ValueError, match="horizon must be >= 1, got 0"):
        SequenceForecaster(2, horizon=0)
    head = SequenceForecaster(2, horizon=3, covariate_size=1)
    with pytest.raises(ValueError, match=r"future_covariates must have shape \(3, 4, 1\), got None"):
        head(torch.randn(8, 4, 2))
    with pytest.raises(ValueError, match="output_size must be >= 1"):
        SequenceForecaster(1, horizon=3, covariate_size=1)
