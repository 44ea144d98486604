"""Real univariate series for forecasting, shipped in sktime's and statsmodels' wheels, split at a fixed origin."""

from __future__ import annotations

import numpy as np

from envs.datasets.base import SeriesData, require_extra


def load_airline() -> SeriesData:
    """Box & Jenkins monthly airline passengers 1949-1960 (144 months), the last 36 held out."""
    datasets = require_extra("sktime.datasets", "data", "load_airline")
    y = datasets.load_airline().to_numpy(np.float64)
    return SeriesData("airline", y[:-36], y[-36:], season=12)


def load_sunspots() -> SeriesData:
    """Yearly sunspot numbers 1700-2008, 1988-2008 (21 years) held out; the solar cycle is about 11 years."""
    sunspots = require_extra("statsmodels.datasets.sunspots", "baselines", "load_sunspots")
    frame = sunspots.load_pandas().data
    y, years = frame["SUNACTIVITY"].to_numpy(np.float64), frame["YEAR"].to_numpy()
    return SeriesData("sunspots", y[years < 1988], y[years >= 1988], season=11)
