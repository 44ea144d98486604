"""Speed benchmarks produce their tables on tiny sizes (timings themselves are benchmarks, never tests)."""

from __future__ import annotations

import pytest

from agents.experiment.speed import core_speed, training_speed, zoo_preset


def test_core_table_has_a_row_per_cell():
    table = core_speed(T=4, B=2, F=3, H=5, repeats=1)
    rows = [line for line in table.splitlines() if line.startswith("| rnn") or line.startswith(("| lstm", "| gru"))]
    assert len(rows) == 3


def test_training_table_and_unknown_settings():
    lines = []
    table = training_speed("CartPole-v1", ["gru"], timesteps=256, repeats=1, settings={"n_epochs": 1}, log=lines.append)
    assert "| ours gru |" in table
    assert "| sb3-contrib lstm |" in table
    assert len(lines) == 2
    with pytest.raises(ValueError, match="Unknown key 'n_epoch' in --set"):
        training_speed("CartPole-v1", ["gru"], timesteps=256, repeats=1, settings={"n_epoch": 1})
    assert zoo_preset("MlpGruPolicy")["n_epochs"] == 20
