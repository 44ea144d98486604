"""UCR/UEA classification sets from sktime's wheel, against their published sizes and splits."""

import pytest

from envs.datasets import load_dataset
from envs.datasets.base import SequenceData
from envs.datasets.ucr import UCR_UEA, load_ucr_uea


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


@pytest.mark.parametrize("name", list(UCR_UEA))
def test_every_shipped_set_matches_its_description(name):
    """Sizes, lengths and channels as the archives list them, and the published 1-NN DTW accuracy where quoted."""
    pytest.importorskip("sktime")
    data = load_ucr_uea(name)
    info = UCR_UEA[name]
    lengths = sorted({len(x) for x in [*data.X_train, *data.X_test]})
    steps = f"{lengths[0]}-{lengths[-1]} steps" if len(lengths) > 1 else f"{lengths[0]} steps"
    assert info.description.startswith(steps)
    channels = data.X_train[0].shape[-1]
    assert (f"x {channels} channels" in info.description) == (channels > 1)
    assert f", {len(data.X_train)} / {len(data.X_test)}, {len(set(data.y_train))} classes" in info.description
    assert set(data.y_test) <= set(data.y_train)
    assert (info.dtw_accuracy is None) == (channels > 1)  # the UCR archive's published figure, univariate only
    assert info.dtw_accuracy is None or 0.5 < info.dtw_accuracy < 1


def test_unknown_ucr_set_is_named():
    with pytest.raises(ValueError, match="Unknown UCR/UEA set 'Coffee': expected one of 'italy_power_demand'"):
        load_ucr_uea("Coffee")
