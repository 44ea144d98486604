"""What a study leaves in its directory: ``trials.csv``, ``best.yaml`` (a preset) and Optuna's plots as PNG files."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from agents.experiment.config import config_to_dict
from agents.experiment.tuning import TuneSettings, trial_config

TRIALS_FILE = "trials.csv"
BEST_FILE = "best.yaml"
HISTORY_PLOT = "history.png"
IMPORTANCE_PLOT = "importances.png"
MACHINE_KEYS = ("seed", "device", "threads", "vec_env")  # left to the user of the preset


def write_trials(study: Any, path: Path) -> int:
    """One row a trial: number, state, value, pruned, last step reported, duration, then its settings."""
    trials = study.get_trials(deepcopy=False)
    keys = list(dict.fromkeys(key for trial in trials for key in trial.params))
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["number", "state", "value", "pruned", "last_step", "duration_s", *keys])
        for trial in trials:
            duration = trial.duration.total_seconds() if trial.duration is not None else None
            writer.writerow(
                [
                    trial.number,
                    trial.state.name,
                    "" if trial.value is None else f"{trial.value:.6g}",
                    trial.state.name == "PRUNED",
                    trial.last_step if trial.last_step is not None else "",
                    "" if duration is None else f"{duration:.1f}",
                    *(trial.params.get(key, "") for key in keys),
                ]
            )
    return len(trials)


def best_preset(study: Any, settings: TuneSettings) -> str:
    """The best complete trial's run config as a preset file for ``train.py --preset``."""
    best = study.best_trial
    data = {k: v for k, v in config_to_dict(trial_config(settings, best.params)).items() if k not in MACHINE_KEYS}
    head = (
        f"# Best of {len(study.trials)} trials of a study on {settings.env} (scripts/tune.py): trial {best.number}, "
        f"final evaluation return {best.value:.4g}\n# at {settings.timesteps:,} steps. Train with: python "
        "scripts/train.py --preset best.yaml [--timesteps N] [--seed S]\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False)


def write_plots(study: Any, study_dir: Path) -> list[Path]:
    """Optuna's optimisation history and parameter importances (when two trials are complete) as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna
    from optuna.visualization import matplotlib as plots

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    drawings: list[tuple[str, Callable[..., Any]]] = [(HISTORY_PLOT, plots.plot_optimization_history)]
    if len(complete) >= 2:
        drawings.append((IMPORTANCE_PLOT, plots.plot_param_importances))
    paths = []
    for name, draw in drawings:
        with warnings.catch_warnings():  # Optuna marks its matplotlib plots experimental
            warnings.simplefilter("ignore")
            axes = draw(study)
        figure: Any = axes.figure  # a Figure: Optuna draws on a new one
        figure.set_size_inches(8, 5)
        figure.tight_layout()
        figure.savefig(study_dir / name, dpi=100)
        plt.close(figure)
        paths.append(study_dir / name)
    return paths


def write_study_report(study: Any, settings: TuneSettings, study_dir: Path) -> list[Path]:
    """trials.csv, and once a trial is complete best.yaml and the plots; returns the paths written."""
    import optuna

    write_trials(study, study_dir / TRIALS_FILE)
    paths = [study_dir / TRIALS_FILE]
    if study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        (study_dir / BEST_FILE).write_text(best_preset(study, settings))
        paths += [study_dir / BEST_FILE, *write_plots(study, study_dir)]
    return paths
