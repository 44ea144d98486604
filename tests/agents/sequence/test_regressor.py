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
