"""The tuner: search space checks, trial configs, pruning at the evaluations, and a study that continues."""

from __future__ import annotations

import json

import optuna
import pytest
import yaml

from agents.experiment.config import resolve_config
from agents.experiment.errors import ConfigError
from agents.experiment.run_dir import EVALUATIONS_FILE, RESULTS_FILE
from agents.experiment.training import run_training
from agents.experiment.tuning import (
    SEARCH_SPACE_FILE,
    ReportEvaluations,
    TuneSettings,
    load_space,
    narrow,
    suggest,
    trial_config,
    write_settings,
)

TINY = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "hidden_size": 8, "net_arch": [8]}


def settings(**values) -> TuneSettings:
    return TuneSettings(env="pomdp/RepeatPrevious-v0", space=load_space(), **values)


def test_shipped_space_covers_the_settings_the_tuner_searches():
    space = load_space(SEARCH_SPACE_FILE)
    expected = {"learning_rate", "n_steps", "batch_size", "n_epochs", "gamma", "gae_lambda", "ent_coef",
                "clip_range", "hidden_size", "num_layers", "sequence_length", "cell"}  # fmt: skip
    assert set(space) == expected
    assert "cell" not in settings(cell="gru").search_space()
    assert settings(cell="search").search_space()["cell"] == ["rnn", "lstm", "gru"]
    assert "gamma" not in settings(fixed={"gamma": 0.9}).search_space()  # a fixed key leaves the search


def test_narrowing_checks_keys_and_ranges():
    space = narrow(load_space(), {"n_epochs": [4, 8], "hidden_size": 64, "learning_rate": {"low": 1e-4, "high": 1e-3}})
    assert space["n_epochs"] == [4, 8]
    assert space["hidden_size"] == [64]
    with pytest.raises(ConfigError, match="'n_step' is not a hyperparameter"):
        narrow(space, {"n_step": [32]})
    with pytest.raises(ConfigError, match=r"learning_rate=\{'low': 0.01, 'high': 0.001\}: expected a list"):
        narrow(space, {"learning_rate": {"low": 1e-2, "high": 1e-3}})
    with pytest.raises(ConfigError, match="both > 0 for log"):
        narrow(space, {"ent_coef": {"low": 0, "high": 0.1, "log": True}})
    with pytest.raises(ConfigError, match="cell=\\['transformer'\\]: expected some of rnn, lstm, gru"):
        narrow(space, {"cell": ["transformer"]})


def test_trial_config_is_the_preset_with_the_trials_settings_and_the_studys_budget():
    values = {"learning_rate": 5e-4, "n_steps": 32, "hidden_size": 32, "cell": "lstm", "sequence_length": 8}
    config = trial_config(settings(cell="search", timesteps=4000, eval_freq=1000, seed=3), values)
    preset = resolve_config("pomdp/RepeatPrevious-v0")
    assert config.policy == "MlpLstmPolicy"
    assert (config.timesteps, config.eval_freq, config.checkpoint_freq, config.seed) == (4000, 1000, 1000, 3)
    assert config.hyperparams.learning_rate == 5e-4
    assert config.hyperparams.sequence_length == 8
    assert config.hyperparams.batch_size == preset.hyperparams.batch_size  # not searched: the preset's
    fixed = optuna.trial.FixedTrial({"n_epochs": 6, "gamma": 0.95, "learning_rate": 2e-3})
    space = {"n_epochs": [4, 6], "gamma": [0.95, 0.99], "learning_rate": {"low": 1e-4, "high": 3e-3, "log": True}}
    assert suggest(fixed, space) == {"n_epochs": 6, "gamma": 0.95, "learning_rate": 2e-3}
    with pytest.raises(ConfigError, match="sequence_length=48 must divide n_steps=32"):
        trial_config(settings(), {"n_steps": 32, "sequence_length": 48})


def test_a_study_directory_holds_one_study(tmp_path):
    write_settings(tmp_path, settings(trials=2))
    write_settings(tmp_path, settings(trials=5))  # more trials: the same study
    with pytest.raises(ValueError, match="holds a study with other settings"):
        write_settings(tmp_path, settings(timesteps=999))


class FakeTrial:
    """Records the reports; the pruner says stop at the second one."""

    def __init__(self) -> None:
        self.reports: list[tuple[float, int]] = []

    def report(self, value: float, step: int) -> None:
        self.reports.append((value, step))

    def should_prune(self) -> bool:
        return len(self.reports) >= 2


def test_pruning_stops_the_run_after_the_evaluation_that_decided_it(tmp_path):
    config = resolve_config("pomdp/RepeatPrevious-v0", overrides={**TINY, "timesteps": 512, "eval_freq": 128})
    trial = FakeTrial()
    callback = ReportEvaluations(trial, config, tmp_path / "run")
    result = run_training(config, tmp_path / "run", callbacks=[callback])
    assert [step for _, step in trial.reports] == [128, 256]  # not step 0: nothing learnt yet
    assert callback.pruned
    assert result.steps == 256
    final = json.loads((tmp_path / "run" / RESULTS_FILE).read_text())
    assert final["step"] == 256
    rows = (tmp_path / "run" / EVALUATIONS_FILE).read_text().splitlines()[1:]
    assert trial.reports[0][0] == pytest.approx(float(rows[1].split(",")[2]))  # the reported value is the row's


def test_settings_file_round_trips(tmp_path):
    write_settings(tmp_path, settings(cell="search", fixed={"gamma": 0.9}))
    saved = yaml.safe_load((tmp_path / "tune.yaml").read_text())
    assert TuneSettings.model_validate(saved) == settings(cell="search", fixed={"gamma": 0.9})
