"""Validated config: defaults, presets, overrides, ranges, and one-line errors for unknown or bad values."""

from __future__ import annotations

import pytest

import envs
from agents.experiment.config import (
    AGENTS,
    Hyperparams,
    RunConfig,
    config_from_dict,
    config_to_dict,
    describe_fields,
    load_yaml,
    parse_value,
    preset_path,
    resolve_config,
    split_overrides,
    with_overrides,
)
from agents.experiment.errors import ConfigError


def test_no_arguments_give_the_default_agent_with_the_cartpole_preset():
    config = resolve_config()
    assert (config.env, config.policy, config.agent) == ("pomdp/CartPoleNoVel-v0", "MlpGruPolicy", "ppo_gru")
    assert config.hyperparams.n_steps == 32
    assert config.hyperparams.normalize is True
    assert config.threads == 1


def test_every_suite_id_resolves_with_a_valid_preset():
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
    assert config.hyperparams.learning_rate == 1e-3  # the rest of the preset stays


def test_unknown_override_names_the_key_and_a_suggestion():
    with pytest.raises(ConfigError, match=r"Unknown key 'n_step' in the overrides \(did you mean n_steps"):
        resolve_config(overrides={"n_step": 64})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("n_steps", "abc", r"n_steps='abc': expected int >= 1, got str"),
        ("n_steps", 1.5, r"n_steps=1.5: expected int >= 1, got float"),
        ("normalize", 1, r"normalize=1: expected bool, got int"),
        ("lr_schedule", "cosine", r"lr_schedule='cosine': expected one of \['constant', 'linear'\]"),
        ("net_arch", [64, "x"], r"net_arch\[1\]='x': expected int"),
        ("target_kl", "high", r"target_kl='high': expected finite float > 0 \| None"),
        ("timesteps", None, r"timesteps=None: expected int >= 1"),
    ],
)
def test_ill_typed_override_names_the_key_and_the_expected_type(key, value, message):
    with pytest.raises(ConfigError, match=message):
        resolve_config(overrides={key: value})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gamma": 5}, r"^gamma=5: expected float in \(0, 1\]$"),
        ({"gamma": 0}, r"gamma=0: expected float in \(0, 1\]"),
        ({"clip_range": -1}, r"clip_range=-1: expected finite float > 0"),
        ({"learning_rate": float("nan")}, r"learning_rate=nan: expected finite float > 0"),
        ({"learning_rate": float("inf")}, r"learning_rate=inf: expected finite float > 0"),
        ({"frame_stack": -2}, r"frame_stack=-2: expected int >= 0"),
        ({"n_steps": 32, "sequence_length": 7}, r"sequence_length=7 must divide n_steps=32"),
        ({"n_envs": 0}, r"n_envs=0: expected int >= 1"),
        ({"net_arch": [64, 0]}, r"net_arch=\[64, 0\]: expected layer widths >= 1"),
        ({"device": "gpu"}, r"device='gpu': expected auto, cpu, cuda or cuda:<index>"),
        ({"gae_lambda": 1.5}, r"gae_lambda=1.5: expected float in \[0, 1\]"),
    ],
)
def test_out_of_range_values_are_one_line_errors(overrides, message):
    with pytest.raises(ConfigError, match=message) as caught:
        resolve_config("pomdp/TMaze-v0", overrides=overrides)
    assert "\n" not in str(caught.value)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_yaml_values_parse_as_yaml_1_2_numbers():
    assert parse_value("1e-3") == 1e-3
    assert parse_value("-2.5E+2") == -250.0
    assert parse_value("64") == 64
    assert parse_value("[32, 32]") == [32, 32]
    assert parse_value("null") is None
    assert parse_value("true") is True
    assert parse_value("lstm") == "lstm"
    assert parse_value("e3") == "e3"
    assert parse_value("[unclosed") == "[unclosed"
    assert resolve_config(overrides={"learning_rate": parse_value("1e-3")}).hyperparams.learning_rate == 1e-3


def test_preset_file_with_unknown_or_ill_typed_key(tmp_path):
    bad_key = tmp_path / "bad_key.yaml"
    bad_key.write_text("hyperparams:\n  n_step: 64\n")
    with pytest.raises(ConfigError, match=r"Unknown key 'n_step' in preset .*bad_key.yaml \(hyperparams\)"):
        resolve_config(preset=bad_key)
    bad_type = tmp_path / "bad_type.yaml"
    bad_type.write_text("timesteps: lots\n")
    with pytest.raises(ConfigError, match=r"timesteps='lots': expected int"):
        resolve_config(preset=bad_type)
    with pytest.raises(FileNotFoundError, match="No preset file"):
        resolve_config(preset=tmp_path / "missing.yaml")
    not_a_mapping = tmp_path / "list.yaml"
    not_a_mapping.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="expected a mapping of config keys, got list"):
        load_yaml(not_a_mapping)
    broken = tmp_path / "broken.yaml"
    broken.write_text("timesteps: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_yaml(broken)


def test_preset_file_reads_exponents_without_a_dot(tmp_path):
    preset = tmp_path / "p.yaml"
    preset.write_text("hyperparams:\n  learning_rate: 1e-3\n")
    assert resolve_config(preset=preset).hyperparams.learning_rate == 1e-3


def test_preset_file_sets_env_unless_given(tmp_path):
    preset = tmp_path / "p.yaml"
    preset.write_text("env: pomdp/TMaze-v0\ntimesteps: 1000\n")
    assert resolve_config(preset=preset).env == "pomdp/TMaze-v0"
    assert resolve_config("pomdp/RepeatFirst-v0", preset=preset).timesteps == 1000


def test_split_overrides_keeps_top_level_keys():
    assert split_overrides({"seed": 1, "n_envs": 4}) == {"seed": 1, "hyperparams": {"n_envs": 4}}


def test_round_trip_through_a_dict():
    config = resolve_config("pomdp/RepeatPrevious-v0", overrides={"net_arch": [16, 16], "target_kl": 0.02})
    assert config_from_dict(config_to_dict(config)) == config


def test_with_overrides_validates():
    config = resolve_config("pomdp/TMaze-v0")
    assert with_overrides(config, {"timesteps": 5}).timesteps == 5
    with pytest.raises(ConfigError, match="n_envs=0: expected int >= 1"):
        with_overrides(config, {"n_envs": 0})


def test_configs_are_frozen():
    config = resolve_config()
    with pytest.raises(ValueError, match="frozen"):
        config.seed = 3


def test_agent_names_cover_the_benchmark_agents():
    for name, (algo, policy, frame_stack) in AGENTS.items():
        config = RunConfig(algo=algo, policy=policy, frame_stack=frame_stack)
        assert config.agent == name


def test_cross_field_checks():
    with pytest.raises(ConfigError, match="policy='MlpTransformerPolicy': expected one of MlpRnnPolicy"):
        resolve_config(overrides={"policy": "MlpTransformerPolicy"})
    with pytest.raises(ConfigError, match="sb3-contrib's RecurrentPPO\\) has LSTM policies only"):
        resolve_config(overrides={"algo": "sb3c", "policy": "MlpGruPolicy"})
    with pytest.raises(ConfigError, match="frame_stack=4 is for memoryless policies"):
        resolve_config(overrides={"frame_stack": 4})


def test_every_key_is_described_with_its_range():
    rows = {name: (type_, default, doc) for name, type_, default, doc in describe_fields()}
    assert set(rows) == (set(RunConfig.model_fields) - {"hyperparams"}) | set(Hyperparams.model_fields)
    assert all(doc for _, _, doc in rows.values())
    assert rows["gamma"][:2] == ("float in (0, 1]", 0.99)
    assert rows["n_steps"][0] == "int >= 1"
    assert rows["net_arch"][1] == [64]
