"""RecurrentRegressor: learns a sum far from unit scale and restores the units of y."""

import numpy as np
import pytest

from agents.sequence import RecurrentRegressor
from tests.agents.sequence.tasks import FAST


def test_regressor_learns_a_sum_and_restores_units():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (128, 6, 1)).astype(np.float32)
    y = 100.0 + 50.0 * X.sum((1, 2))  # far from unit scale: standardized inside, restored outside
    reg = RecurrentRegressor(**FAST | {"max_epochs": 60}).fit(X, y)
    assert reg.score(X, y) > 0.8
    assert abs(reg.predict(X).mean() - y.mean()) < 10
    with pytest.raises(ValueError, match="y contains NaN"):
        RecurrentRegressor().fit(X, np.full(128, np.nan))


def test_regressor_shares_the_classifiers_front_end_and_normalisation_defaults():
    rng = np.random.default_rng(0)
    scales = 10.0 ** rng.uniform(-3, 3, (24, 1, 1))
    X = (scales * rng.standard_normal((24, 150, 1))).astype(np.float32)
    reg = RecurrentRegressor(**FAST | {"max_epochs": 1}).fit(X, np.log10(scales[:, 0, 0]))
    assert reg.normalize_ == "series_stats"  # scales spread over six decades
    assert reg.stride_ == 3  # 150 steps -> 50 core steps
    assert reg.module_.downsample.mode == "pool"
    assert reg.predict(X[:2]).shape == (2,)
