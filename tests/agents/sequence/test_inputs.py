"""Input forms -> padded arrays: sequences, series, forecasting windows, per-channel statistics, padded targets."""

import numpy as np
import pytest

from agents.sequence.inputs import (
    as_sequences,
    as_series,
    normalize_series,
    pad_targets,
    scale_spread,
    sliding_windows,
    standardize,
)


def test_as_sequences_reads_every_input_form():
    padded, lengths = as_sequences(np.zeros((4, 6, 3)))
    assert padded.shape == (4, 6, 3)
    assert padded.dtype == np.float32
    assert lengths.tolist() == [6] * 4
    padded, lengths = as_sequences(np.zeros((4, 6)))  # univariate
    assert padded.shape == (4, 6, 1)
    padded, lengths = as_sequences([np.ones((2, 3)), np.ones((5, 3))])
    assert padded.shape == (2, 5, 3)
    assert lengths.tolist() == [2, 5]
    assert padded[0, 2:].sum() == 0
    padded, lengths = as_sequences([np.ones(3), np.ones(1)])  # univariate list
    assert padded.shape == (2, 3, 1)
    assert lengths.tolist() == [3, 1]
    assert lengths.dtype == np.int64


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros(5), r"X must be \(N, T, F\), \(N, T\) or a list of \(T_i, F\) arrays, got shape \(5,\)"),
        (np.zeros(5), r"Reshape your data: x\[None\] is one sequence"),
        (np.zeros((2, 3), complex), "Complex data not supported: X has dtype complex128"),
        ([np.zeros(3, complex)], "Complex data not supported"),
        (np.zeros((0, 4, 2)), r"got shape \(0, 4, 2\)"),
        ([], "X must hold at least one sequence"),
        ([np.zeros(3), np.zeros(0)], "no sequence may be empty"),
        ([np.zeros((3, 2)), np.zeros((3, 1))], r"same per-step shape, got \[\(1,\), \(2,\)\]"),
        ([np.array([1.0, np.inf])], "X contains NaN or infinite values"),
    ],
)
def test_as_sequences_names_bad_inputs(X, message):
    with pytest.raises(ValueError, match=message):
        as_sequences(X)


def test_as_sequences_refuses_sparse_matrices():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="X is a sparse matrix: sparse input is not supported"):
        as_sequences(sparse.csr_matrix(np.eye(3)))


def test_as_sequences_checks_the_fitted_feature_shape():
    assert as_sequences(np.zeros((2, 3, 4)), (4,))[0].shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"X has per-step shape \(4,\) \(features\); fitted on \(2,\)"):
        as_sequences(np.zeros((2, 3, 4)), (2,))


def test_as_series_and_sliding_windows():
    items, is_list = as_series(np.arange(10.0))
    assert not is_list
    assert items[0].shape == (10, 1)
    with pytest.raises(ValueError, match="series contains NaN"):
        as_series([np.array([1.0, np.nan])])
    s, c = np.arange(10.0)[:, None], np.arange(10.0)[:, None] + 100
    past, future, future_cov = sliding_windows(s, c, 4, 2)
    assert past.shape == (5, 4, 2)
    assert future.shape == (5, 2, 1)
    assert future_cov.shape == (5, 2, 1)
    assert past[1, :, 0].tolist() == [1, 2, 3, 4]
    assert future[1, :, 0].tolist() == [5, 6]
    assert future_cov[1, :, 0].tolist() == [105, 106]
    assert sliding_windows(s, c, 8, 4)[0].shape == (0, 8, 2)


def test_as_series_reads_lists_and_names_bad_inputs():
    items, is_list = as_series([np.arange(4), np.ones((6, 1))])
    assert is_list
    assert [s.shape for s in items] == [(4, 1), (6, 1)]
    assert items[0].dtype == np.float64
    with pytest.raises(ValueError, match=r"history must be a non-empty \(T,\) or \(T, F\) array"):
        as_series(np.zeros(0), "history")
    with pytest.raises(ValueError, match=r"All covariates must have the same number of channels, got \[1, 2\]"):
        as_series([np.zeros(3), np.zeros((3, 2))], "covariates")


def test_standardize_ignores_padding_and_keeps_constant_channels():
    padded, lengths = as_sequences([np.array([[1.0, 5.0], [3.0, 5.0]]), np.array([[2.0, 5.0]])])
    mean, std = standardize(padded, lengths)  # real steps: channel 0 is 1, 3, 2; channel 1 is constant
    np.testing.assert_allclose(mean, [2.0, 5.0])
    np.testing.assert_allclose(std, [np.std([1.0, 3.0, 2.0]), 1.0], rtol=1e-6)
    assert mean.dtype == std.dtype == np.float32


def test_pad_targets_fills_beyond_each_length():
    out = pad_targets([np.array([1, 2, 3]), np.array([4])], np.array([3, 1]), -100)
    assert out.tolist() == [[1, 2, 3], [4, -100, -100]]
    floats = pad_targets([np.ones((2, 2)), np.ones((1, 2))], np.array([2, 1]), np.nan)
    assert floats.shape == (2, 2, 2)
    assert np.isnan(floats[1, 1]).all()
    assert not np.isnan(floats[1, 0]).any()


def test_pad_targets_names_mismatches():
    with pytest.raises(ValueError, match="y has 1 label sequences but X has 2 sequences"):
        pad_targets([np.zeros(2)], np.array([2, 2]), 0)
    with pytest.raises(ValueError, match=r"y\[1\] has 3 labels but X\[1\] has 2 steps"):
        pad_targets([np.zeros(2), np.zeros(3)], np.array([2, 2]), 0)


def test_normalize_series_round_trip_per_sequence_and_channel():
    rng = np.random.default_rng(0)
    items = [rng.normal(5.0, 3.0, (length, 2)).astype(np.float32) for length in (6, 3, 9)]
    items[1][:, 1] = 7.0  # a constant channel
    array, lengths = as_sequences(items)
    normalized, mean, std = normalize_series(array, lengths)
    assert normalized.shape == array.shape
    assert mean.shape == std.shape == (3, 2)
    for i, (x, length) in enumerate(zip(items, lengths, strict=True)):
        np.testing.assert_allclose(normalized[i, :length] * std[i] + mean[i], x, rtol=1e-5, atol=1e-5)
        assert not normalized[i, length:].any()  # padding stays zero
    real = normalized[0, :6]
    np.testing.assert_allclose(real.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(real.std(0), 1, rtol=1e-5)
    assert std[1, 1] == 1.0  # constant channel: centred, not divided by zero
    assert not normalized[1, :3, 1].any()


def test_scale_spread_reads_how_much_sequences_scales_differ():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((200, 30, 1)).astype(np.float32)
    lengths = np.full(200, 30)
    normalized, _, _ = normalize_series(base, lengths)
    assert scale_spread(normalized, lengths) < 1e-3  # normalised per sequence already: every scale is 1
    scales = 10.0 ** rng.uniform(-3, 3, (200, 1, 1))  # log10-uniform over 6 decades: std sqrt(3) ~ 1.73
    assert scale_spread(normalized * scales, lengths) == pytest.approx(np.log10(scales).std(), rel=1e-3)
    assert scale_spread(1000.0 * normalized, lengths) < 1e-3  # one common scale, however large
    constant = np.concatenate([normalized * scales, np.full((200, 30, 2), 7.0, np.float32)], axis=-1)
    constant[:100, :, 2] = normalized[:100, :, 0]  # varies in half the sequences only
    assert scale_spread(constant, lengths) < 1e-3  # median channel: constant channels count 0
    ragged, ragged_lengths = as_sequences([x[: 5 + i % 20] for i, x in enumerate(normalized * scales)])
    assert scale_spread(ragged, ragged_lengths) > 1.0  # padding is not read as part of a sequence
