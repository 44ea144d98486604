"""What every data set loader returns, and the import of optional packages that ship the real data."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Literal, NamedTuple, TypeAlias

import numpy as np

Sequences: TypeAlias = np.ndarray | list[np.ndarray]
Task: TypeAlias = Literal["classification", "regression"]


class SequenceData(NamedTuple):
    """A sequence classification or regression set: ``X`` is (N, T, F) or a list of (T_i, F) arrays."""

    name: str
    X_train: Sequences
    y_train: np.ndarray
    X_test: Sequences
    y_test: np.ndarray
    task: Task = "classification"


class SeriesData(NamedTuple):
    """A forecasting set: one series split at a fixed origin; ``season`` is the seasonal period (1: none)."""

    name: str
    train: np.ndarray  # (T,) or (T, F)
    test: np.ndarray  # (H,) or (H, F): the horizon to forecast from the end of train
    season: int = 1


def require_extra(module: str, extra: str, loader: str) -> ModuleType:
    """Import an optional dependency or say which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{loader} needs the optional package {module!r}: pip install 'recurrent-agents[{extra}]'"
        ) from error
