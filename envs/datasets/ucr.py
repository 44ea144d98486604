"""UCR/UEA classification sets shipped in sktime's wheel (extra ``[data]``), with their standard splits.

:data:`UCR_UEA` lists every classification set the wheel carries (its ``UnitTest`` set, a 20-series excerpt of
Chinatown kept for sktime's own tests, is left out), with the accuracy of 1-NN under unconstrained DTW published
for it, the usual yardstick of the archives:

- univariate sets: the UCR archive 2018's ``DataSummary.csv``, column "DTW (w=100)" (an error rate; accuracy is
  1 - error), Dau et al., "The UCR Time Series Archive", IEEE/CAA J. Autom. Sinica 6(6), 2019;
- multivariate sets: none quoted (the UEA archive's paper reports DTW for them, but its figures were not checked
  here); ``scripts/classify.py`` computes 1-NN DTW itself on every set short enough.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from envs.datasets.base import SequenceData, require_extra


class UcrSet(NamedTuple):
    """One shipped set: sktime's name for it, a description and the published 1-NN DTW accuracy (None: none)."""

    sktime_name: str
    description: str
    dtw_accuracy: float | None


UCR_UEA: dict[str, UcrSet] = {
    "italy_power_demand": UcrSet("ItalyPowerDemand", "24 steps, 67 / 1029, 2 classes", 1 - 0.0496),
    "japanese_vowels": UcrSet("JapaneseVowels", "7-29 steps x 12 channels, 270 / 370, 9 classes", None),
    "gun_point": UcrSet("GunPoint", "150 steps, 50 / 150, 2 classes", 1 - 0.0933),
    "arrow_head": UcrSet("ArrowHead", "251 steps, 36 / 175, 3 classes", 1 - 0.2971),
    "osu_leaf": UcrSet("OSULeaf", "427 steps, 200 / 242, 6 classes", 1 - 0.4091),
    "acsf1": UcrSet("ACSF1", "1460 steps, 100 / 100, 10 classes", 1 - 0.3600),
    "plaid": UcrSet("PLAID", "100-1344 steps, 537 / 537, 11 classes", 1 - 0.1639),
    "basic_motions": UcrSet("BasicMotions", "100 steps x 6 channels, 40 / 40, 4 classes", None),
}


def _nested_to_list(frame: Any) -> list[np.ndarray]:
    """sktime's nested DataFrame (one pd.Series per cell) -> list of (T_i, F) arrays."""
    return [np.stack([cell.to_numpy(np.float32) for cell in row], axis=1) for row in frame.itertuples(index=False)]


def load_ucr_uea(name: str) -> SequenceData:
    """A set of :data:`UCR_UEA` by its key: (N, T, F) arrays when all lengths agree, else lists of (T_i, F).

    Labels are integers where the files write numbers, else strings (BasicMotions' ``"walking"``, ...).
    """
    if name not in UCR_UEA:
        raise ValueError(f"Unknown UCR/UEA set {name!r}: expected one of {', '.join(map(repr, UCR_UEA))}")
    datasets = require_extra("sktime.datasets", "data", f"load_ucr_uea({name!r})")
    splits = []
    for split in ("train", "test"):
        frame, y = datasets.load_UCR_UEA_dataset(UCR_UEA[name].sktime_name, split=split, return_X_y=True)
        items = _nested_to_list(frame)
        X: list[np.ndarray] | np.ndarray = np.stack(items) if len({len(x) for x in items}) == 1 else items
        labels = np.asarray(y)
        numeric = all(str(label).lstrip("-").isdigit() for label in labels)
        splits.append((X, labels.astype(int) if numeric else labels.astype(str)))
    (X_train, y_train), (X_test, y_test) = splits
    return SequenceData(name, X_train, y_train, X_test, y_test)


def load_italy_power_demand() -> SequenceData:
    """UCR ItalyPowerDemand: 24 hourly loads, 2 classes (Oct-Mar vs Apr-Sep), 67 train / 1029 test."""
    return load_ucr_uea("italy_power_demand")


def load_japanese_vowels() -> SequenceData:
    """UEA JapaneseVowels: 12 LPC channels, variable length 7-29, 9 speakers, 270 train / 370 test."""
    return load_ucr_uea("japanese_vowels")
