"""Hyperparameter search with Optuna: a TPE sampler, pruning at the periodic evaluations, trials run by an executor.

A study lives in its directory::

    tune.yaml       the settings it was started with (task, cell, budget, search space, fixed keys)
    study.db        Optuna's SQLite storage (unless --storage names a database): stopping and starting again
                    continues the study
    runs/trial_<N>/ one run directory per trial (checkpoints, evaluations.csv, results.json)
    trials.csv, best.yaml, history.png, importances.png   written by ``agents.experiment.tuning_report``

The driver asks Optuna for each trial's settings and hands the run to an executor (local processes or Ray); the run
opens the study's storage itself to report every evaluation and stops when the pruner says so. The objective is the
mean return of the **final** evaluation, maximised. A run that dies is started again from its latest checkpoint (by
Ray's retries, or by the next call for the trials a stopped driver left running).

Example:
    >>> settings = TuneSettings(env="pomdp/RepeatPrevious-v0", cell="gru", trials=20)
    >>> study = optimize(settings, Path("studies/repeat_gru"), LocalExecutor(1))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from stable_baselines3.common.callbacks import BaseCallback

from agents.experiment.config import Hyperparams, RunConfig, load_yaml, resolve_config
from agents.experiment.errors import ConfigError
from agents.experiment.executors import Executor, imap_unordered
from agents.experiment.run_dir import CONFIG_FILE, EVALUATIONS_FILE, RESULTS_FILE, list_checkpoints
from agents.experiment.training import next_multiple, run_training

SEARCH_SPACE_FILE = Path(__file__).parent / "search_space.yaml"
SETTINGS_FILE = "tune.yaml"
DATABASE_FILE = "study.db"
CELLS = ("rnn", "lstm", "gru")
SQLITE_TIMEOUT = 60  # seconds a worker waits for the database while another one writes


class TuneSettings(BaseModel):
    """What a study searches and how each trial trains; written to the study directory as tune.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    env: str = Field(description="Task id; every trial starts from its preset.")
    cell: Literal["rnn", "lstm", "gru", "search"] = Field("gru", description='Recurrent cell, or "search" over all.')
    trials: int = Field(20, ge=1, description="Trials of the study in all (a continued study runs the rest).")
    timesteps: int = Field(8_000, ge=1, description="Environment steps of every trial.")
    eval_freq: int = Field(2_000, ge=1, description="Evaluate (and maybe prune) every eval_freq steps.")
    eval_episodes: int = Field(20, ge=1, description="Episodes per evaluation.")
    seed: int = Field(0, ge=0, description="Seed of the sampler and of every trial's run (the same for all trials).")
    pruner: Literal["median", "halving", "none"] = Field(
        "median", description="median: stop a trial below the median of earlier ones at the same step; halving: "
        "successive halving; none: never stop early."
    )  # fmt: skip
    space: dict[str, Any] = Field(description="Setting -> list of choices or {low, high, log}.")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Config keys set for every trial (--set).")

    def search_space(self) -> dict[str, Any]:
        """The space searched: ``cell`` only with ``cell="search"``, without the keys fixed by ``fixed``."""
        drop = set(self.fixed) | ({"policy", "cell"} if self.cell != "search" else set())
        return {key: spec for key, spec in self.space.items() if key not in drop}


def load_space(path: str | Path = SEARCH_SPACE_FILE) -> dict[str, Any]:
    """Read and check a search space file (see ``search_space.yaml``)."""
    space = load_yaml(path)
    for key, spec in space.items():
        check_spec(key, spec, str(path))
    return space


def check_spec(key: str, spec: Any, where: str) -> None:
    """Raise a ConfigError unless ``spec`` is a non-empty list of choices or a ``{low, high[, log]}`` range of a
    hyperparameter (or ``cell``)."""
    if key != "cell" and key not in Hyperparams.model_fields:
        raise ConfigError(f"{where}: {key!r} is not a hyperparameter (see train.py --list-keys)")
    if isinstance(spec, list) and spec:
        if key == "cell" and any(cell not in CELLS for cell in spec):
            raise ConfigError(f"{where}: cell={spec}: expected some of {', '.join(CELLS)}")
        return
    if isinstance(spec, dict) and {"low", "high"} <= set(spec) <= {"low", "high", "log"}:
        low, high = spec["low"], spec["high"]
        numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (low, high))
        if numbers and low < high and (low > 0 or not spec.get("log")):
            return
    raise ConfigError(
        f"{where}: {key}={spec!r}: expected a list of choices or {{low: L, high: H, log: true|false}} with L < H "
        "(both > 0 for log)"
    )


def narrow(space: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    """``space`` with the ``--space KEY=SPEC`` updates: a new list or range for a setting (a scalar: one choice)."""
    narrowed = dict(space)
    for key, spec in updates.items():
        spec = spec if isinstance(spec, list | dict) else [spec]
        check_spec(key, spec, "--space")
        narrowed[key] = spec
    return narrowed


def suggest(trial: Any, space: Mapping[str, Any]) -> dict[str, Any]:
    """One value per setting of ``space`` from an Optuna trial."""
    params: dict[str, Any] = {}
    for key, spec in space.items():
        if isinstance(spec, list):
            params[key] = trial.suggest_categorical(key, spec)
        elif isinstance(spec["low"], int) and isinstance(spec["high"], int):
            params[key] = trial.suggest_int(key, spec["low"], spec["high"], log=bool(spec.get("log")))
        else:
            params[key] = trial.suggest_float(key, spec["low"], spec["high"], log=bool(spec.get("log")))
    return params


def trial_config(settings: TuneSettings, params: Mapping[str, Any]) -> RunConfig:
    """The run of a trial: the task preset, the fixed keys, the trial's settings and the study's budget."""
    values = dict(params)
    cell = values.pop("cell", settings.cell)
    study = {"timesteps": settings.timesteps, "eval_freq": settings.eval_freq, "checkpoint_freq": settings.eval_freq}
    study.update(eval_episodes=settings.eval_episodes, seed=settings.seed, threads=1)
    return resolve_config(
        settings.env, overrides={"policy": f"Mlp{cell.capitalize()}Policy", **settings.fixed, **values, **study}
    )


def storage_url(study_dir: Path, storage: str | None = None) -> str:
    """``storage`` when given (a database URL every worker reaches), else the SQLite file in the study directory."""
    return storage or f"sqlite:///{(study_dir / DATABASE_FILE).resolve()}"


def open_storage(url: str) -> Any:
    """Optuna's storage for ``url``; SQLite waits for a concurrent writer instead of failing at once."""
    import optuna

    if url.startswith("sqlite"):
        return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": SQLITE_TIMEOUT}})
    return optuna.storages.RDBStorage(url)


def make_pruner(settings: TuneSettings) -> Any:
    """The study's pruner; it never stops a trial before its second evaluation."""
    import optuna

    if settings.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=settings.eval_freq)
    if settings.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=settings.eval_freq, reduction_factor=3)
    return optuna.pruners.NopPruner()


def open_study(settings: TuneSettings, url: str, name: str) -> Any:
    """Create the study, or load it to continue; TPE sampler seeded with the study's seed."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=settings.seed, n_startup_trials=min(10, max(1, settings.trials // 2)))
    return optuna.create_study(
        storage=open_storage(url),
        study_name=name,
        direction="maximize",
        sampler=sampler,
        pruner=make_pruner(settings),
        load_if_exists=True,
    )


@dataclass(frozen=True)
class TrialJob:
    """One trial's run, as handed to a worker: everything it needs to train and to report to the study."""

    storage: str
    study_name: str
    trial_id: int
    number: int
    settings: TuneSettings
    config: RunConfig
    run_dir: Path


@dataclass(frozen=True)
class TrialOutcome:
    """What a trial's run ended with: ``value`` the final evaluation's mean return, ``pruned`` if stopped early."""

    number: int
    value: float | None
    pruned: bool
    steps: int
    error: str | None = None
    interrupted: bool = False


class ReportEvaluations(BaseCallback):
    """After every periodic evaluation: report its mean return to the trial, stop training if the pruner says so."""

    def __init__(self, trial: Any, config: RunConfig, run_dir: Path) -> None:
        super().__init__()
        self.trial, self.path = trial, run_dir / EVALUATIONS_FILE
        self.eval_freq, self.timesteps = config.eval_freq, config.timesteps
        self.next_report: int | float = 0
        self.pruned = False

    def _on_training_start(self) -> None:
        self.next_report = next_multiple(self.num_timesteps, self.eval_freq)

    def _on_step(self) -> bool:
        if self.num_timesteps < self.next_report or self.num_timesteps >= self.timesteps:
            return True
        self.next_report = next_multiple(self.num_timesteps, self.eval_freq)
        lines = self.path.read_text().splitlines()  # the evaluation callback before this one wrote this step's row
        row = dict(zip(lines[0].split(","), lines[-1].split(","), strict=True))
        with warnings.catch_warnings():  # a resumed run may report a step again; Optuna keeps the first value
            warnings.simplefilter("ignore")
            self.trial.report(float(row["mean_return"]), int(row["step"]))
        self.pruned = self.trial.should_prune()
        return not self.pruned


def run_trial(job: TrialJob) -> TrialOutcome:
    """Train one trial (or continue it from its latest checkpoint), reporting each evaluation to the study.

    Runs in a worker: a local process or a Ray task. Errors of the run itself (a diverging loss, say) come back as
    ``TrialOutcome.error``, so one bad trial does not stop the study.
    """
    import optuna

    done = job.run_dir / RESULTS_FILE
    if not done.is_file():
        study = optuna.load_study(
            study_name=job.study_name, storage=open_storage(job.storage), pruner=make_pruner(job.settings)
        )
        callback = ReportEvaluations(optuna.trial.Trial(study, job.trial_id), job.config, job.run_dir)
        checkpoints = list_checkpoints(job.run_dir) if (job.run_dir / CONFIG_FILE).is_file() else []
        # A run stopped after its last checkpoint but before results.json redoes its last stretch.
        checkpoints = [checkpoint for checkpoint in checkpoints if checkpoint.step < job.config.timesteps]
        if not checkpoints:
            shutil.rmtree(job.run_dir, ignore_errors=True)
        resume = checkpoints[-1] if checkpoints else None
        try:
            result = run_training(job.config, job.run_dir, resume, callbacks=[callback])
        except (ValueError, RuntimeError) as error:
            return TrialOutcome(job.number, None, False, 0, f"{type(error).__name__}: {error}")
        if result.interrupted:  # a signal stopped it: the driver is stopping too
            return TrialOutcome(job.number, None, False, result.steps, interrupted=True)
    final = json.loads(done.read_text())
    steps = int(final["step"])
    return TrialOutcome(job.number, float(final["mean_return"]), steps < job.config.timesteps, steps)


def write_settings(study_dir: Path, settings: TuneSettings) -> None:
    """tune.yaml, or a check that the one there matches (``trials`` may change): a study is never mixed."""
    path = study_dir / SETTINGS_FILE
    if path.is_file():
        saved = TuneSettings.model_validate(yaml.safe_load(path.read_text()))
        if saved.model_dump(exclude={"trials"}) != settings.model_dump(exclude={"trials"}):
            raise ValueError(
                f"{study_dir} holds a study with other settings ({path}): continue it with --resume {study_dir}, "
                "or choose another --study-dir"
            )
    study_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(settings.model_dump(), sort_keys=False))


def read_settings(study_dir: Path) -> TuneSettings:
    path = study_dir / SETTINGS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"Cannot resume: {str(study_dir)!r} holds no study ({SETTINGS_FILE} is missing)")
    return TuneSettings.model_validate(yaml.safe_load(path.read_text()))


def _jobs(study: Any, settings: TuneSettings, url: str, study_dir: Path, adopt: bool) -> Iterator[TrialJob]:
    """The trials left running by a stopped driver (when ``adopt``), then new ones until the study has them all."""
    from optuna.trial import TrialState

    def job(number: int, trial_id: int, config: RunConfig) -> TrialJob:
        run_dir = study_dir / "runs" / f"trial_{number:03d}"
        return TrialJob(url, study.study_name, trial_id, number, settings, config, run_dir)

    if adopt:
        for frozen in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            yield job(frozen.number, frozen._trial_id, trial_config(settings, frozen.params))  # Optuna has no public id
    while len(study.get_trials(deepcopy=False)) < settings.trials:
        trial = study.ask()
        try:
            config = trial_config(settings, suggest(trial, settings.search_space()))
        except ConfigError as error:  # a combination the config rejects: a failed trial, the search goes on
            study.tell(trial, state=TrialState.FAIL)
            print(f"trial {trial.number}: {error}", flush=True)
            continue
        yield job(trial.number, trial._trial_id, config)  # Optuna has no public id


def optimize(
    settings: TuneSettings,
    study_dir: Path,
    executor: Executor,
    storage: str | None = None,
    study_name: str | None = None,
    log: Callable[[str], None] = print,
) -> Any:
    """Run (or continue) the study until it has ``settings.trials`` trials; returns the Optuna study.

    With the embedded storage a stopped study's running trials are continued from their checkpoints; with a shared
    database other drivers may own them, so they are left alone.
    """
    from optuna.trial import TrialState

    write_settings(study_dir, settings)
    url = storage_url(study_dir, storage)
    study = open_study(settings, url, study_name or "tune")
    for outcome in imap_unordered(executor, run_trial, _jobs(study, settings, url, study_dir, storage is None)):
        if outcome.interrupted:  # the trial stays running in the study, to continue from its checkpoint
            raise KeyboardInterrupt
        if outcome.error is not None:
            study.tell(outcome.number, state=TrialState.FAIL)
            log(f"trial {outcome.number}: failed ({outcome.error})")
        elif outcome.pruned:
            study.tell(outcome.number, state=TrialState.PRUNED)
            log(f"trial {outcome.number}: pruned at step {outcome.steps:,} (return {outcome.value:.3g})")
        else:
            study.tell(outcome.number, outcome.value)
            log(f"trial {outcome.number}: return {outcome.value:.3g} (best {study.best_value:.3g})")
    return study
