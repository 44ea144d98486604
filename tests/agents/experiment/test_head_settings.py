"""The checks shared by the classify and forecast scripts, on a stand-in estimator and data generator."""

from __future__ import annotations

import pytest

from agents.experiment.head_settings import check_head_settings
from agents.sequence import RecurrentClassifier


def generator(n_train: int = 8, T: int = 4) -> None:
    """Stands in for a data generator with two arguments."""


def check(**changes):
    settings = dict(cells=("gru",), seeds=(0,), estimator={}, estimator_class=RecurrentClassifier,
                    script_keys=("cell", "random_state"), loader=generator, dataset="toy", data={})  # fmt: skip
    check_head_settings(**{**settings, **changes})


def test_good_settings_pass():
    check(estimator={"hidden_size": 8, "lr": 1e-3}, data={"T": 6})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cells": ("lstm", "mamba")}, "Unknown cell type 'mamba'"),
        ({"seeds": ()}, "expected at least one seed"),
        ({"estimator": {"random_state": 3}}, "--set random_state: the script sets it for every run"),
        ({"estimator": {"hiden_size": 8}}, r"Unknown key 'hiden_size' .* \(did you mean hidden_size"),
        ({"estimator": {"lr": 0}}, r"lr=0: expected > 0"),
        ({"data": {"n_tran": 3}}, r"Unknown key 'n_tran' in the arguments of toy \(--data\)"),
    ],
)
def test_each_bad_setting_is_named(changes, message):
    with pytest.raises(ValueError, match=message):
        check(**changes)
