"""Sequence data for the heads: synthetic tasks that need memory, and real sets shipped inside PyPI packages.

Real data loads offline from optional extras: every UCR/UEA classification set sktime's wheel ships
(:data:`UCR_UEA`: ItalyPowerDemand, JapaneseVowels, GunPoint, ArrowHead, OSULeaf, ACSF1, PLAID, BasicMotions) and
Airline (``pip install 'recurrent-agents[data]'``), yearly sunspots from statsmodels (``[baselines]``). Standard splits:
the UCR/UEA train/test files, Airline's last 36 months and sunspots' 1988-2008 held out.

Example:
    >>> data = load_dataset("parity", n_train=64, n_test=16)
    >>> len(data.X_train), data.y_train.shape, data.task
    (64, (64,), 'classification')
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from envs.datasets.base import SequenceData, Sequences, SeriesData, Task, require_extra
from envs.datasets.clips import moving_digits
from envs.datasets.series import load_airline, load_sunspots
from envs.datasets.synthetic import adding_problem, noisy_sines, parity
from envs.datasets.text import Dyck2, LabelledText, TextData, load_dyck2, load_names, load_python_docs
from envs.datasets.trajectories import Trajectories, collect_trajectories
from envs.datasets.ucr import UCR_UEA, UcrSet, load_italy_power_demand, load_japanese_vowels, load_ucr_uea

CLASSIFICATION: dict[str, Callable[..., SequenceData]] = {
    "italy_power_demand": load_italy_power_demand,
    "japanese_vowels": load_japanese_vowels,
    **{name: partial(load_ucr_uea, name) for name in UCR_UEA if name not in ("italy_power_demand", "japanese_vowels")},
    "parity": parity,
    "adding": adding_problem,
}
FORECASTING: dict[str, Callable[..., SeriesData]] = {
    "airline": load_airline,
    "sunspots": load_sunspots,
    "sines": noisy_sines,
}
VIDEO: dict[str, Callable[..., SequenceData]] = {"moving_digits": moving_digits}  # frames (N, T, C, H, W)
TEXT: dict[str, Callable[..., TextData | LabelledText]] = {  # envs/datasets/text.py
    "python_docs": load_python_docs,
    "names": load_names,
    "dyck2": load_dyck2,
}


def load_dataset(name: str, **kwargs: Any) -> SequenceData | SeriesData | TextData | LabelledText:
    """Load a named set from :data:`CLASSIFICATION`, :data:`FORECASTING`, :data:`VIDEO` or :data:`TEXT` (``kwargs``:
    its loader's)."""
    loaders: dict[str, Callable[..., SequenceData | SeriesData | TextData | LabelledText]] = {
        **CLASSIFICATION,
        **FORECASTING,
        **VIDEO,
        **TEXT,
    }
    if name not in loaders:
        raise ValueError(f"Unknown data set {name!r}: expected one of {', '.join(map(repr, loaders))}")
    return loaders[name](**kwargs)


__all__ = [
    "CLASSIFICATION",
    "FORECASTING",
    "TEXT",
    "UCR_UEA",
    "VIDEO",
    "Dyck2",
    "LabelledText",
    "SequenceData",
    "Sequences",
    "SeriesData",
    "Task",
    "TextData",
    "Trajectories",
    "UcrSet",
    "adding_problem",
    "collect_trajectories",
    "load_airline",
    "load_dataset",
    "load_dyck2",
    "load_italy_power_demand",
    "load_japanese_vowels",
    "load_names",
    "load_python_docs",
    "load_sunspots",
    "load_ucr_uea",
    "moving_digits",
    "noisy_sines",
    "parity",
    "require_extra",
]
