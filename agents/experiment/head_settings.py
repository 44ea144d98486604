"""Checks shared by the classification and forecasting scripts, run before a network is built or a log written."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agents.experiment.cli import check_arguments, check_keys
from agents.experiment.errors import ConfigError
from policies.cores import check_cell


def check_head_settings(
    cells: tuple[str, ...],
    seeds: tuple[int, ...],
    estimator: Mapping[str, Any],
    estimator_class: type,
    script_keys: tuple[str, ...],
    loader: Callable[..., Any],
    dataset: str,
    data: Mapping[str, Any],
) -> None:
    """Cells, seeds, estimator parameters (names and values) and data-generator arguments, each as a ConfigError."""
    for cell in cells:
        check_cell(cell)
    if not seeds:
        raise ConfigError("seeds: expected at least one seed")
    taken = sorted(set(estimator) & set(script_keys))
    if taken:
        raise ConfigError(
            f"--set {taken[0]}: the script sets it for every run (see --cells, --seed, --log-dir, --device)"
        )
    check_keys(estimator, sorted(estimator_class().get_params()), "the estimator's parameters (--set)")
    estimator_class(**estimator).trainer_config()  # a bad value fails here, not after the first fits
    check_arguments(data, loader, f"the arguments of {dataset} (--data)")
