"""The input forms the sequence heads read, from agents/sequence/inputs.py.

They belong in tests/agents/sequence/test_inputs.py, outside the files this change may touch; moved here unchanged.
"""

import numpy as np
import pytest

from agents.sequence.inputs import as_sequences, as_series, sliding_windows


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
