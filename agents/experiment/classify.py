"""Train and evaluate sequence classifiers (or, for the adding problem, regressors) on a named data set.

Trains the default head for each cell type and seed on the data set's standard training split, evaluates it on the
test split, logs TensorBoard scalars, and prints a markdown table beside the baselines (majority class and 1-NN
Euclidean for classification; predicting the training mean for regression).

    python scripts/classify.py --dataset italy_power_demand --cells rnn lstm gru --seeds 0 1 2
    python scripts/classify.py --dataset adding --data n_train=2000 --set max_epochs=5
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.experiment.head_settings import check_head_settings
from agents.sequence import RecurrentClassifier, RecurrentRegressor
from agents.sequence.baselines import MajorityClassifier, NearestNeighborClassifier
from envs.datasets import CLASSIFICATION, SequenceData, load_dataset


@dataclass(frozen=True)
class ClassifyConfig:
    """What to train and how to report it."""

    dataset: str = "italy_power_demand"
    """A name from ``envs.datasets.CLASSIFICATION``."""
    cells: tuple[str, ...] = ("rnn", "lstm", "gru")
    """Cell types to compare, each with the estimator's default settings."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """One training run per seed; the table shows mean and standard deviation."""
    estimator: Mapping[str, Any] = field(default_factory=dict)
    """Overrides of estimator parameters, e.g. ``(("max_epochs", 5),)``."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Arguments of a synthetic generator, e.g. ``(("n_train", 2000),)``."""
    log_dir: str | None = "runs/classify"
    """TensorBoard logs go to ``<log_dir>/<dataset>/<cell>_seed<seed>`` (None: no logs)."""
    device: str = "cpu"
    """Torch device of the networks."""


SCRIPT_KEYS = ("cell", "random_state", "log_dir", "device")  # set per run by the script's own flags


def check_config(config: ClassifyConfig) -> None:
    """Every setting checked before a network is built or a log is written."""
    loader = CLASSIFICATION[config.dataset]
    check_head_settings(
        config.cells,
        config.seeds,
        config.estimator,
        RecurrentClassifier,
        SCRIPT_KEYS,
        loader,
        config.dataset,
        config.data,
    )


def baselines(data: SequenceData) -> list[tuple[str, float]]:
    """Scores of the classical baselines: accuracy, or test MSE for regression."""
    if data.task == "regression":
        return [("predict the training mean", float(np.mean((data.y_test - data.y_train.mean()) ** 2)))]
    return [
        ("majority class", MajorityClassifier().fit(data.X_train, data.y_train).score(data.X_test, data.y_test)),
        (
            "1-NN (Euclidean)",
            NearestNeighborClassifier().fit(data.X_train, data.y_train).score(data.X_test, data.y_test),
        ),
    ]


def classification_table(config: ClassifyConfig) -> str:
    """Train every cell and seed; return the markdown result table."""
    data = load_dataset(config.dataset, **config.data)
    assert isinstance(data, SequenceData)
    regression = data.task == "regression"
    metric = "test MSE" if regression else "test accuracy"
    rows = [f"| model | {metric} (mean ± std) | per seed | train time (s) |", "| --- | --- | --- | --- |"]
    for cell in config.cells:
        scores, seconds = [], []
        for seed in config.seeds:
            log_dir = f"{config.log_dir}/{config.dataset}/{cell}_seed{seed}" if config.log_dir else None
            params = {
                "cell": cell,
                "random_state": seed,
                "log_dir": log_dir,
                "device": config.device,
                **config.estimator,
            }
            begin = time.perf_counter()
            model = (RecurrentRegressor if regression else RecurrentClassifier)(**params).fit(
                data.X_train, data.y_train
            )
            seconds.append(time.perf_counter() - begin)
            predicted = model.predict(data.X_test)
            scores.append(
                float(np.mean((predicted - data.y_test) ** 2) if regression else np.mean(predicted == data.y_test))
            )
            print(f"{cell} seed {seed}: {metric} {scores[-1]:.4f} in {seconds[-1]:.0f} s", flush=True)
        per_seed = ", ".join(f"{s:.4f}" for s in scores)
        rows.append(
            f"| {cell.upper()} | {np.mean(scores):.4f} ± {np.std(scores):.4f} | {per_seed} | {np.mean(seconds):.0f} |"
        )
    rows += [f"| {name} | {score:.4f} | | |" for name, score in baselines(data)]
    return "\n".join(rows)
