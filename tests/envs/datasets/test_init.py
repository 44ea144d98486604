"""load_dataset: every named set by name, keyword arguments for the generators, unknown names listed."""

import pytest

from envs.datasets import CLASSIFICATION, FORECASTING, SequenceData, SeriesData, load_dataset


def test_unknown_data_set_is_named():
    with pytest.raises(ValueError, match="Unknown data set 'mnist'"):
        load_dataset("mnist")


def test_unknown_data_set_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"expected one of 'italy_power_demand', .*'sines'"):
        load_dataset("mnist")


def test_keyword_arguments_reach_the_generators():
    data = load_dataset("parity", n_train=8, n_test=2, T=6, seed=1)
    assert isinstance(data, SequenceData)
    assert (len(data.X_train), len(data.X_test), data.name) == (8, 2, "parity_T6")
    series = load_dataset("sines", length=50, horizon=5)
    assert isinstance(series, SeriesData)
    assert series.test.shape == (5,)


def test_classification_and_forecasting_names_do_not_overlap():
    assert not set(CLASSIFICATION) & set(FORECASTING)
