"""UCR/UEA classification sets from sktime's wheel, against their published sizes and splits."""

import pytest

from envs.datasets import load_dataset
from envs.datasets.base import SequenceData


def test_ucr_uea_sets_have_their_standard_splits():
    pytest.importorskip("sktime")
    italy = load_dataset("italy_power_demand")
    assert isinstance(italy, SequenceData)
    assert italy.X_train.shape == (67, 24, 1)
    assert italy.X_test.shape == (1029, 24, 1)
    assert set(italy.y_train) == {1, 2}
    vowels = load_dataset("japanese_vowels")
    assert len(vowels.X_train) == 270
    assert len(vowels.X_test) == 370
    lengths = [len(x) for x in vowels.X_train + vowels.X_test]
    assert min(lengths) == 7
    assert max(lengths) == 29
    assert {x.shape[1] for x in vowels.X_train} == {12}
    assert set(vowels.y_test) == set(range(1, 10))
