"""Probe settings: default targets per task, and inputs refused before any episode is played."""

from __future__ import annotations

import pytest

from agents.experiment.probe import ProbeConfig, default_targets, run_probe


def test_default_targets():
    assert default_targets("TMaze", ("position", "cue")) == ("cue",)
    assert default_targets("CartPoleNoVel", ("x", "x_dot", "theta", "theta_dot")) == ("x_dot", "theta_dot")
    assert default_targets("MountainCarNoVel", ("position", "velocity")) == ("velocity",)
    with pytest.raises(ValueError, match="No default probe target for 'RepeatFirst': pass --targets"):
        default_targets("RepeatFirst", ("step", "first_symbol", "symbol"))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"test_fraction": 1.5}, r"--test-fraction must be in \(0, 1\), got 1.5"),
        ({"episodes": 1}, "leaves no episode to"),
    ],
)
def test_bad_settings_fail_before_loading(settings, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        run_probe(ProbeConfig(str(tmp_path / "no_run"), **settings))


def test_missing_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model or run directory"):
        run_probe(ProbeConfig(str(tmp_path / "no_run")))
