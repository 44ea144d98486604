"""Real forecasting series: their standard horizons, and the extra each loader needs."""

import importlib

import pytest

from envs import datasets
from envs.datasets import load_dataset


def test_missing_extra_names_the_extra(monkeypatch):
    def fail(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(importlib, "import_module", fail)
    with pytest.raises(ImportError, match=r"recurrent-agents\[data\]"):
        datasets.load_airline()
    with pytest.raises(ImportError, match=r"recurrent-agents\[baselines\]"):
        datasets.load_sunspots()


def test_forecasting_series_hold_out_their_standard_horizons():
    pytest.importorskip("sktime")
    airline = load_dataset("airline")
    assert airline.train.shape == (108,)
    assert airline.test.shape == (36,)
    assert airline.season == 12
    assert airline.train[0] == 112
    assert airline.test[-1] == 432
    pytest.importorskip("statsmodels")
    sunspots = load_dataset("sunspots")
    assert sunspots.train.shape == (288,)
    assert sunspots.test.shape == (21,)
    assert sunspots.season == 11
