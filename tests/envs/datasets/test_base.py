"""What every loader returns, and the import of the optional packages that ship the real data."""

import json

import numpy as np
import pytest

from envs.datasets.base import SequenceData, SeriesData, require_extra


def test_require_extra_returns_the_module():
    assert require_extra("json", "data", "load_something") is json


def test_require_extra_names_the_loader_the_module_and_the_extra():
    message = r"load_x needs the optional package 'no_such_module_xyz': pip install 'recurrent-agents\[data\]'"
    with pytest.raises(ImportError, match=message) as raised:
        require_extra("no_such_module_xyz", "data", "load_x")
    assert isinstance(raised.value.__cause__, ImportError)


def test_defaults_are_classification_and_no_season():
    empty = np.zeros((0, 1, 1))
    assert SequenceData("s", empty, np.zeros(0), empty, np.zeros(0)).task == "classification"
    assert SeriesData("t", np.zeros(3), np.zeros(1)).season == 1
