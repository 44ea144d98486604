"""The classification table: settings checked first, then every cell and seed beside the baselines."""

from __future__ import annotations

import numpy as np
import pytest

from agents.experiment.classify import (
    DTW_MAX_STEPS,
    ClassifyConfig,
    baselines,
    check_config,
    classification_table,
    dtw_is_affordable,
)
from agents.experiment.errors import ConfigError
from envs.datasets import parity

TINY = {"max_epochs": 1, "hidden_size": 8}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"cells": ("gru", "mamba")}, "Unknown cell type 'mamba'"),
        ({"estimator": {"hiden_size": 8}}, r"Unknown key 'hiden_size' in the estimator's parameters \(--set\)"),
        ({"estimator": {"cell": "lstm"}}, "--set cell: the script sets it for every run"),
        ({"data": {"n_trian": 5}}, r"Unknown key 'n_trian' in the arguments of parity \(--data\) \(did you mean"),
        ({"seeds": ()}, "expected at least one seed"),
    ],
)
def test_bad_settings_are_refused_before_training(settings, message):
    with pytest.raises(ValueError, match=message):
        check_config(ClassifyConfig(dataset="parity", **settings))


def test_real_data_sets_take_no_generator_arguments():
    with pytest.raises(ConfigError, match=r"in the arguments of italy_power_demand .*: it takes none"):
        check_config(ClassifyConfig(dataset="italy_power_demand", data={"n_train": 5}))


def test_regression_reports_mse():
    config = ClassifyConfig(
        dataset="adding", cells=("rnn",), seeds=(1,), estimator=TINY, data={"n_train": 64, "n_test": 16, "T": 10},
        log_dir=None,
    )  # fmt: skip
    table = classification_table(config)
    assert "test MSE" in table
    assert "| predict the training mean |" in table
    assert "| RNN |" in table


def test_baselines_of_a_classification_set():
    names = [name for name, _ in baselines(parity(n_train=32, n_test=16, T=6))]
    assert names == ["majority class", "1-NN (Euclidean)", "1-NN DTW"]


def test_all_checks_every_ucr_uea_set_before_training():
    check_config(ClassifyConfig(dataset="all", cells=("gru",)))  # no error: every set's loader takes no arguments
    with pytest.raises(ConfigError, match=r"in the arguments of italy_power_demand .*: it takes none"):
        check_config(ClassifyConfig(dataset="all", data={"n_train": 5}))


def test_dtw_baseline_runs_only_where_it_is_affordable():
    short = parity(n_train=32, n_test=16, T=6)
    assert dtw_is_affordable(short)
    assert not dtw_is_affordable(short._replace(X_test=[np.zeros((DTW_MAX_STEPS + 1, 1))]))
