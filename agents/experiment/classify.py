"""Train and evaluate sequence classifiers (or, for the adding problem, regressors) on a named data set, or on all.

Trains the default head for each cell type and seed on the data set's standard training split, evaluates it on the
test split, logs TensorBoard scalars, and prints a markdown table beside the baselines (majority class and 1-NN
Euclidean for classification, and 1-NN DTW's published accuracy for UCR/UEA sets; predicting the training mean for
regression). ``dataset="all"`` runs every UCR/UEA set of :data:`envs.datasets.UCR_UEA` and prints one row per set
and cell: accuracy and fit time beside 1-NN Euclidean and published 1-NN DTW.

    python scripts/classify.py --dataset italy_power_demand --cells rnn lstm gru --seeds 0 1 2
    python scripts/classify.py --dataset adding --data n_train=2000 --set max_epochs=5
    python scripts/classify.py --dataset all --cells gru
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from agents.experiment.head_settings import check_head_settings
from agents.sequence import RecurrentClassifier, RecurrentRegressor
from agents.sequence.baselines import MajorityClassifier, NearestNeighborClassifier
from envs.datasets import CLASSIFICATION, UCR_UEA, SequenceData, load_dataset

ALL = "all"  # every UCR/UEA set, one row each
DTW_MAX_STEPS = 300  # 1-NN DTW computed on sets no longer than this (its cost grows with length squared)


@dataclass(frozen=True)
class ClassifyConfig:
    """What to train and how to report it."""

    dataset: str = "italy_power_demand"
    """A name from ``envs.datasets.CLASSIFICATION``, or ``"all"``: every UCR/UEA set."""
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


class Run(NamedTuple):
    """One fit: its test score, wall-clock seconds and CPU seconds (the process's, all threads)."""

    score: float
    seconds: float
    cpu: float


SCRIPT_KEYS = ("cell", "random_state", "log_dir", "device")  # set per run by the script's own flags


def check_config(config: ClassifyConfig) -> None:
    """Every setting checked before a network is built or a log is written."""
    for name in list(UCR_UEA) if config.dataset == ALL else [config.dataset]:
        check_head_settings(
            config.cells,
            config.seeds,
            config.estimator,
            RecurrentClassifier,
            SCRIPT_KEYS,
            CLASSIFICATION[name],
            name,
            config.data,
        )


def baselines(data: SequenceData) -> list[tuple[str, float]]:
    """Scores of the classical baselines: accuracy, or test MSE for regression."""
    if data.task == "regression":
        return [("predict the training mean", float(np.mean((data.y_test - data.y_train.mean()) ** 2)))]
    test = (data.X_test, data.y_test)
    scores = [
        ("majority class", MajorityClassifier().fit(data.X_train, data.y_train).score(data.X_test, data.y_test)),
        (
            "1-NN (Euclidean)",
            NearestNeighborClassifier().fit(data.X_train, data.y_train).score(data.X_test, data.y_test),
        ),
    ]
    if dtw_is_affordable(data):
        scores.append(("1-NN DTW", NearestNeighborClassifier("dtw").fit(data.X_train, data.y_train).score(*test)))
    published = UCR_UEA[data.name].dtw_accuracy if data.name in UCR_UEA else None
    if published is not None:
        scores.append(("1-NN DTW (published)", published))
    return scores


def dtw_is_affordable(data: SequenceData) -> bool:
    """Whether 1-NN DTW (every test sequence against every training one) costs at most about a minute here."""
    longest = max(len(x) for x in [*data.X_train, *data.X_test])
    return longest <= DTW_MAX_STEPS


def fit_and_score(config: ClassifyConfig, name: str, data: SequenceData, cell: str, seed: int) -> Run:
    """One run on the set called ``name``: test accuracy (test MSE for regression), fit time and its CPU time."""
    log_dir = f"{config.log_dir}/{name}/{cell}_seed{seed}" if config.log_dir else None
    params = {"cell": cell, "random_state": seed, "log_dir": log_dir, "device": config.device, **config.estimator}
    regression = data.task == "regression"
    begin, cpu = time.perf_counter(), time.process_time()
    model = (RecurrentRegressor if regression else RecurrentClassifier)(**params).fit(data.X_train, data.y_train)
    seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
    predicted = model.predict(data.X_test)
    score = float(np.mean((predicted - data.y_test) ** 2) if regression else np.mean(predicted == data.y_test))
    metric = "test MSE" if regression else "test accuracy"
    print(f"{name} {cell} seed {seed}: {metric} {score:.4f} in {seconds:.0f} s ({cpu:.0f} s of CPU)", flush=True)
    return Run(score, seconds, cpu)


def classification_table(config: ClassifyConfig) -> str:
    """Train every cell and seed; return the markdown result table (one row per set and cell for ``"all"``)."""
    if config.dataset == ALL:
        return benchmark_table(config)
    data = load_dataset(config.dataset, **config.data)
    assert isinstance(data, SequenceData)
    metric = "test MSE" if data.task == "regression" else "test accuracy"
    rows = [f"| model | {metric} (mean ± std) | per seed | train time (s) |", "| --- | --- | --- | --- |"]
    for cell in config.cells:
        runs = [fit_and_score(config, config.dataset, data, cell, seed) for seed in config.seeds]
        scores = [run.score for run in runs]
        per_seed = ", ".join(f"{s:.4f}" for s in scores)
        seconds = np.mean([run.seconds for run in runs])
        rows.append(f"| {cell.upper()} | {np.mean(scores):.4f} ± {np.std(scores):.4f} | {per_seed} | {seconds:.0f} |")
    rows += [f"| {name} | {score:.4f} | | |" for name, score in baselines(data)]
    return "\n".join(rows)


def benchmark_table(config: ClassifyConfig) -> str:
    """Every UCR/UEA set: accuracy (mean ± std over seeds) and fit time per cell beside 1-NN ED and 1-NN DTW."""
    rows = [
        "| data set | shape (train / test) | cell | accuracy (mean ± std) | per seed | fit s, wall (CPU) "
        "| 1-NN Euclidean | 1-NN DTW | 1-NN DTW (published) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, info in UCR_UEA.items():
        data = load_dataset(name)
        assert isinstance(data, SequenceData)
        euclidean = NearestNeighborClassifier().fit(data.X_train, data.y_train).score(data.X_test, data.y_test)
        dtw = (
            f"{NearestNeighborClassifier('dtw').fit(data.X_train, data.y_train).score(data.X_test, data.y_test):.3f}"
            if dtw_is_affordable(data)
            else "not run"
        )
        published = "-" if info.dtw_accuracy is None else f"{info.dtw_accuracy:.3f}"
        for cell in config.cells:
            runs = [fit_and_score(config, name, data, cell, seed) for seed in config.seeds]
            scores = [run.score for run in runs]
            seconds, cpu = np.mean([run.seconds for run in runs]), np.mean([run.cpu for run in runs])
            rows.append(
                f"| {info.sktime_name} | {info.description} | {cell.upper()} "
                f"| {np.mean(scores):.3f} ± {np.std(scores):.3f} | {', '.join(f'{s:.3f}' for s in scores)} "
                f"| {seconds:.0f} ({cpu:.0f}) | {euclidean:.3f} | {dtw} | {published} |"
            )
    return "\n".join(rows)
