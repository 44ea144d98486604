"""Typed config: defaults, presets, overrides, and the errors for unknown or ill-typed keys."""

from __future__ import annotations

import dataclasses

import pytest

import envs
from agents.experiment.config import (
    AGENTS,
    Hyperparams,
    TrainConfig,
    coerce,
    config_from_dict,
    config_to_dict,
    describe_fields,
    parse_set,
    preset_path,
    resolve_config,
    split_overrides,
    with_overrides,
)


def test_no_arguments_give_the_default_agent_with_the_cartpole_preset():
    config = resolve_config()
    assert (config.env, config.policy, config.agent) == ("pomdp/CartPoleNoVel-v0", "MlpGruPolicy", "ppo_gru")
    assert config.hyperparams.n_steps == 32
    assert config.hyperparams.normalize is True
    assert config.threads == 1


def test_every_suite_id_resolves_with_a_typed_preset():
    for env_id in envs.SUITE:
        config = resolve_config(env_id)
        assert config.env == env_id
        assert isinstance(config.hyperparams.learning_rate, float)


def test_levels_share_their_task_preset():
    assert preset_path("pomdp/TMazeHard-v0") == preset_path("pomdp/TMaze-v0")
    assert preset_path("CartPole-v1") is None


def test_overrides_win_over_preset_and_nest_hyperparameters():
    config = resolve_config("pomdp/TMaze-v0", overrides={"n_steps": 64, "hyperparams.gamma": 0.9, "seed": 3})
    assert (config.hyperparams.n_steps, config.hyperparams.gamma, config.seed) == (64, 0.9, 3)


def test_unknown_override_names_the_key_and_a_suggestion():
    with pytest.raises(ValueError, match=r"Unknown key 'n_step' in the overrides \(did you mean n_steps"):
        resolve_config(overrides={"n_step": 64})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("n_steps", "abc", r"n_steps='abc': expected int, got str"),
        ("n_steps", 1.5, r"n_steps=1.5: expected int, got float"),
        ("normalize", 1, r"normalize=1: expected bool, got int"),
        ("lr_schedule", "cosine", r"lr_schedule='cosine': expected one of \['constant', 'linear'\]"),
        ("net_arch", [64, "x"], r"net_arch\[1\]='x': expected int"),
        ("target_kl", "high", r"target_kl='high': expected float \| None"),
        ("timesteps", None, r"timesteps=None: expected int"),
    ],
)
def test_ill_typed_override_names_the_key_and_the_expected_type(key, value, message):
    with pytest.raises(TypeError, match=message):
        resolve_config(overrides={key: value})


def test_numbers_widen_and_yaml_strings_parse():
    assert coerce("gamma", 1, float) == 1.0
    assert coerce("learning_rate", "1e-3", float) == 1e-3
    assert coerce("target_kl", None, float | None) is None


def test_preset_file_with_unknown_or_ill_typed_key(tmp_path):
    bad_key = tmp_path / "bad_key.yaml"
    bad_key.write_text("hyperparams:\n  n_step: 64\n")
    with pytest.raises(ValueError, match=r"Unknown key 'n_step' in preset .*bad_key.yaml \(hyperparams\)"):
        resolve_config(preset=bad_key)
    bad_type = tmp_path / "bad_type.yaml"
    bad_type.write_text("timesteps: lots\n")
    with pytest.raises(TypeError, match=r"timesteps='lots': expected int"):
        resolve_config(preset=bad_type)
    with pytest.raises(FileNotFoundError, match="No preset file"):
        resolve_config(preset=tmp_path / "missing.yaml")


def test_preset_file_sets_env_unless_given(tmp_path):
    preset = tmp_path / "p.yaml"
    preset.write_text("env: pomdp/TMaze-v0\ntimesteps: 1000\n")
    assert resolve_config(preset=preset).env == "pomdp/TMaze-v0"
    assert resolve_config("pomdp/RepeatFirst-v0", preset=preset).timesteps == 1000


def test_parse_set_reads_yaml_values():
    assert parse_set(["n_steps=64", "net_arch=[32, 32]", "target_kl=null", "normalize=true"]) == {
        "n_steps": 64,
        "net_arch": [32, 32],
        "target_kl": None,
        "normalize": True,
    }
    with pytest.raises(ValueError, match=r"--set 'n_steps': expected key=value"):
        parse_set(["n_steps"])


def test_split_overrides_keeps_top_level_keys():
    assert split_overrides({"seed": 1, "n_envs": 4}) == {"seed": 1, "hyperparams": {"n_envs": 4}}


def test_round_trip_through_a_dict():
    config = resolve_config("pomdp/RepeatPrevious-v0", overrides={"net_arch": [16, 16], "target_kl": 0.02})
    assert config_from_dict(config_to_dict(config)) == config


def test_agent_names_cover_the_benchmark_agents():
    for name, (algo, policy, frame_stack) in AGENTS.items():
        config = TrainConfig(algo=algo, policy=policy, frame_stack=frame_stack)
        assert config.agent == name


def test_cross_field_checks():
    with pytest.raises(ValueError, match="policy='MlpTransformerPolicy': expected one of MlpRnnPolicy"):
        resolve_config(overrides={"policy": "MlpTransformerPolicy"})
    with pytest.raises(ValueError, match="sb3-contrib's RecurrentPPO\\) has LSTM policies only"):
        resolve_config(overrides={"algo": "sb3c", "policy": "MlpGruPolicy"})
    with pytest.raises(ValueError, match="frame_stack=4 is for memoryless policies"):
        resolve_config(overrides={"frame_stack": 4})
    with pytest.raises(ValueError, match="n_envs must be >= 1"):
        with_overrides(TrainConfig(), {"n_envs": 0})


def test_every_field_is_documented():
    rows = describe_fields()
    names = [row[0] for row in rows]
    assert len(names) == len(dataclasses.fields(TrainConfig)) - 1 + len(dataclasses.fields(Hyperparams))
    assert all(doc for *_, doc in rows)
