"""Train and evaluate sequence classifiers (or, for the adding problem, regressors) on a named data set.

Trains the default head for each cell type and seed on the data set's standard training split, evaluates it on the
test split, logs TensorBoard scalars, and prints a markdown table beside the baselines (majority class and 1-NN
Euclidean for classification; predicting the training mean for regression).

    python scripts/classify.py --dataset italy_power_demand --cells rnn lstm gru --seeds 0 1 2
    python scripts/classify.py --dataset adding --data n_train=2000 --set max_epochs=5
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import torch

from agents.experiment.config import parse_pairs
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
    estimator: tuple[tuple[str, object], ...] = ()
    """Overrides of estimator parameters, e.g. ``(("max_epochs", 5),)``."""
    data: tuple[tuple[str, object], ...] = ()
    """Arguments of a synthetic generator, e.g. ``(("n_train", 2000),)``."""
    log_dir: str | None = "runs/classify"
    """TensorBoard logs go to ``<log_dir>/<dataset>/<cell>_seed<seed>`` (None: no logs)."""
    threads: int = 1
    """torch CPU threads; 1 is fastest for these small networks on a shared machine."""


def parse_args() -> ClassifyConfig:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=ClassifyConfig.dataset, choices=sorted(CLASSIFICATION))
    parser.add_argument("--cells", nargs="+", default=list(ClassifyConfig.cells))
    parser.add_argument("--seeds", nargs="+", type=int, default=list(ClassifyConfig.seeds))
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="estimator parameters")
    parser.add_argument("--data", nargs="*", default=[], metavar="KEY=VALUE", help="synthetic generator arguments")
    parser.add_argument("--log-dir", default=ClassifyConfig.log_dir, help="'none' disables TensorBoard logs")
    parser.add_argument("--threads", type=int, default=ClassifyConfig.threads)
    args = parser.parse_args()
    return ClassifyConfig(
        dataset=args.dataset,
        cells=tuple(args.cells),
        seeds=tuple(args.seeds),
        estimator=parse_pairs(args.set),
        data=parse_pairs(args.data),
        log_dir=None if args.log_dir == "none" else args.log_dir,
        threads=args.threads,
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


def run(config: ClassifyConfig) -> str:
    """Train every cell and seed; return the markdown result table."""
    torch.set_num_threads(config.threads)
    data = load_dataset(config.dataset, **dict(config.data))
    assert isinstance(data, SequenceData)
    regression = data.task == "regression"
    metric = "test MSE" if regression else "test accuracy"
    rows = [f"| model | {metric} (mean ± std) | per seed | train time (s) |", "| --- | --- | --- | --- |"]
    for cell in config.cells:
        scores, seconds = [], []
        for seed in config.seeds:
            log_dir = f"{config.log_dir}/{config.dataset}/{cell}_seed{seed}" if config.log_dir else None
            params = {"cell": cell, "seed": seed, "log_dir": log_dir, **dict(config.estimator)}
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


if __name__ == "__main__":
    config = parse_args()
    table = run(config)
    print(f"\n{config.dataset}: {len(config.seeds)} seeds, torch threads {config.threads}\n\n{table}")
