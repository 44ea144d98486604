"""UCR/UEA classification sets shipped in sktime's wheel (extra ``[data]``), with their standard splits."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.datasets.base import SequenceData, require_extra


def _nested_to_list(frame: Any) -> list[np.ndarray]:
    """sktime's nested DataFrame (one pd.Series per cell) -> list of (T_i, F) arrays."""
    return [np.stack([cell.to_numpy(np.float32) for cell in row], axis=1) for row in frame.itertuples(index=False)]


def load_italy_power_demand() -> SequenceData:
    """UCR ItalyPowerDemand: 24 hourly loads, 2 classes (Oct-Mar vs Apr-Sep), 67 train / 1029 test."""
    datasets = require_extra("sktime.datasets", "data", "load_italy_power_demand")
    splits = [
        datasets.load_italy_power_demand(split=s, return_X_y=True, return_type="numpy3D") for s in ("train", "test")
    ]
    (X_train, y_train), (X_test, y_test) = [(X.transpose(0, 2, 1).astype(np.float32), y.astype(int)) for X, y in splits]
    return SequenceData("italy_power_demand", X_train, y_train, X_test, y_test)


def load_japanese_vowels() -> SequenceData:
    """UEA JapaneseVowels: 12 LPC channels, variable length 7-29, 9 speakers, 270 train / 370 test."""
    datasets = require_extra("sktime.datasets", "data", "load_japanese_vowels")
    (X_train, y_train), (X_test, y_test) = [
        (_nested_to_list(X), y.astype(int))
        for X, y in (datasets.load_japanese_vowels(split=s) for s in ("train", "test"))
    ]
    return SequenceData("japanese_vowels", X_train, y_train, X_test, y_test)
