"""Validated run configuration: pydantic models, YAML presets per task and ``key=value`` overrides, never ``eval``.

A config is resolved in layers, each validated (types *and* ranges) before anything touches the disk: the model
defaults, the task's preset (``agents/experiment/presets/<Task>.yaml``, or a file), then explicit overrides
(command-line flags and ``--set key=value``). A bad value is a :class:`ConfigError` whose one-line message names
the key, the value and what was expected.

Example:
    >>> config = resolve_config("pomdp/TMaze-v0", overrides={"seed": 1, "n_steps": 64})
    >>> config.hyperparams.n_steps, config.agent
    (64, 'ppo_gru')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agents.experiment.errors import ConfigError, describe_field, one_line
from agents.experiment.zoo import is_zoo_file, read_entry

PRESET_DIR = Path(__file__).parent / "presets"
ALGOS = ("ppo", "sb3c")
MEMORYLESS_POLICIES = ("MlpPolicy", "CnnPolicy", "MultiInputPolicy")
RECURRENT_POLICIES = tuple(
    f"{obs}{cell}Policy" for obs in ("Mlp", "Cnn", "MultiInput") for cell in ("Rnn", "Lstm", "Gru")
)
DEVICE_PATTERN = r"auto|cpu|cuda(:\d+)?"
# Benchmark agent name -> (algo, policy, frame_stack).
AGENTS: dict[str, tuple[str, str, int]] = {
    "ppo_gru": ("ppo", "MlpGruPolicy", 0),
    "ppo_lstm": ("ppo", "MlpLstmPolicy", 0),
    "ppo_rnn": ("ppo", "MlpRnnPolicy", 0),
    "ppo_mlp": ("ppo", "MlpPolicy", 0),
    "ppo_framestack": ("ppo", "MlpPolicy", 4),
    "sb3c_lstm": ("sb3c", "MlpLstmPolicy", 0),
}
_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)


class Hyperparams(BaseModel):
    """PPO and policy hyperparameters, SB3's names; one set per task, shared by every agent for a fair comparison."""

    model_config = _STRICT

    n_envs: int = Field(8, ge=1, description="Parallel environments; a rollout holds n_envs * n_steps transitions.")
    n_steps: int = Field(128, ge=1, description="Steps per environment per rollout.")
    batch_size: int = Field(
        128, ge=1, description="Transitions per minibatch (recurrent agents: whole chunks of sequence_length steps)."
    )
    n_epochs: int = Field(10, ge=1, description="Passes over each rollout.")
    learning_rate: float = Field(
        3e-4, gt=0, allow_inf_nan=False, description='Adam step size (the initial one when lr_schedule is "linear").'
    )
    lr_schedule: Literal["constant", "linear"] = Field(
        "constant", description='"linear" decays the learning rate to 0 over the run.'
    )
    clip_range: float = Field(
        0.2, gt=0, allow_inf_nan=False, description='PPO ratio clip (the initial one when clip_schedule is "linear").'
    )
    clip_schedule: Literal["constant", "linear"] = Field(
        "constant", description='"linear" decays the clip range to 0 over the run.'
    )
    gamma: float = Field(0.99, gt=0, le=1, description="Discount factor.")
    gae_lambda: float = Field(0.95, ge=0, le=1, description="GAE bias/variance trade-off.")
    ent_coef: float = Field(0.0, ge=0, allow_inf_nan=False, description="Entropy bonus weight.")
    vf_coef: float = Field(0.5, ge=0, allow_inf_nan=False, description="Value loss weight.")
    max_grad_norm: float = Field(0.5, gt=0, allow_inf_nan=False, description="Gradient norm clip.")
    target_kl: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Stop an update early when the KL divergence exceeds 1.5 * target_kl; null = never.",
    )
    normalize: bool = Field(
        False,
        description="Wrap the envs in VecNormalize (observations and rewards); its statistics are saved with every "
        "checkpoint.",
    )
    hidden_size: int = Field(
        64,
        ge=1,
        description="Units of the recurrent core (memoryless agents: width of the extra layer that stands in for the "
        "core).",
    )
    num_layers: int = Field(1, ge=1, description="Stacked recurrent layers.")
    shared_core: bool = Field(False, description="Actor and critic read one core.")
    critic_core: bool = Field(
        True, description="The critic gets its own core (when not shared); False gives it a feed-forward layer."
    )
    layer_norm: bool = Field(False, description="Layer norm on the core outputs (our agents only).")
    net_arch: list[int] = Field(
        default_factory=lambda: [64], description="Hidden layers of the actor and critic heads, after the core."
    )
    features_dim: int | None = Field(
        None, ge=1, description="Image features of a Cnn* policy's extractor; null = the extractor's default (512)."
    )
    activation: Literal["tanh", "relu"] = Field("tanh", description="Activation of the heads.")
    ortho_init: bool = Field(True, description="Orthogonal initialisation of the linear layers (SB3's default).")
    sequence_length: int | None = Field(
        None,
        ge=1,
        description="Chunk length for backpropagation through time (our agents only); null = gcd(n_steps, "
        "batch_size). Must divide n_steps.",
    )

    @model_validator(mode="after")
    def _check_chunks(self) -> Hyperparams:
        if any(width < 1 for width in self.net_arch):
            raise ValueError(f"net_arch={self.net_arch}: expected layer widths >= 1")
        if self.sequence_length is not None and self.n_steps % self.sequence_length:
            raise ValueError(f"sequence_length={self.sequence_length} must divide n_steps={self.n_steps}")
        return self


class RunConfig(BaseModel):
    """Everything a training run depends on; written to the run directory as config.yaml."""

    model_config = _STRICT

    env: str = Field("pomdp/CartPoleNoVel-v0", description="Gymnasium id (``import envs`` registers the pomdp/ suite).")
    algo: Literal["ppo", "sb3c"] = Field(
        "ppo",
        description='"ppo": this package\'s RecurrentPPO (SB3\'s PPO for memoryless policies); "sb3c": sb3-contrib\'s '
        "RecurrentPPO.",
    )
    policy: str = Field(
        "MlpGruPolicy",
        description="Policy alias: Mlp/Cnn/MultiInput + Rnn/Lstm/Gru + Policy, or MlpPolicy for the memoryless "
        "baseline.",
    )
    frame_stack: int = Field(
        0, ge=0, description="Stack the last frame_stack observations (VecFrameStack) for a memoryless policy; 0 = off."
    )
    env_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Keyword arguments of the env's constructor (gym.make(env, **env_kwargs)), e.g. corridor_length.",
    )
    timesteps: int = Field(100_000, ge=1, description="Total environment steps of the run.")
    seed: int = Field(0, ge=0, description="Seed of the model and the environments.")
    vec_env: Literal["vector", "dummy", "subproc"] = Field(
        "vector",
        description="vector: the task's array implementation, all envs as one numpy program (where the id has one, "
        "else dummy); dummy: single envs one by one in this process; subproc: one process each (slow envs only).",
    )
    device: str = Field(
        "cpu",
        description='Torch device, auto|cpu|cuda: small recurrent models run faster on "cpu" than on a GPU; "auto" '
        "picks cuda when present.",
    )
    threads: int = Field(
        1, ge=1, description="Torch CPU threads: on 2-core machines small models ran 3-17x slower with 2 than with 1."
    )
    eval_freq: int = Field(
        10_000, ge=0, description="Evaluate every eval_freq environment steps (0 = only at the end)."
    )
    eval_episodes: int = Field(20, ge=1, description="Episodes per evaluation.")
    checkpoint_freq: int = Field(
        20_000,
        ge=0,
        description="Save a checkpoint every checkpoint_freq environment steps (0 = only on Ctrl-C and at the end).",
    )
    threshold: float | None = Field(
        None,
        allow_inf_nan=False,
        description="Return that counts as solving the task (benchmark: steps to reach it); null = 95% of the "
        "optimal return.",
    )
    hyperparams: Hyperparams = Field(default_factory=Hyperparams, description="PPO and policy hyperparameters.")

    @field_validator("device")
    @classmethod
    def _check_device(cls, device: str) -> str:
        if not re.fullmatch(DEVICE_PATTERN, device):
            raise ValueError(f"device={device!r}: expected auto, cpu, cuda or cuda:<index>")
        return device

    @model_validator(mode="after")
    def _check_agent(self) -> RunConfig:
        policies = RECURRENT_POLICIES + MEMORYLESS_POLICIES
        if self.policy not in policies:
            raise ValueError(f"policy={self.policy!r}: expected one of {', '.join(policies)}")
        if self.algo == "sb3c" and self.cell != "lstm":
            raise ValueError(
                f"algo='sb3c' (sb3-contrib's RecurrentPPO) has LSTM policies only, got policy={self.policy}"
            )
        if self.frame_stack and self.recurrent:
            raise ValueError(f"frame_stack={self.frame_stack} is for memoryless policies, got {self.policy}")
        return self

    @property
    def cell(self) -> str:
        """ "rnn", "lstm" or "gru"; "mlp" for a memoryless policy, "framestack" when stacking frames."""
        if self.frame_stack:
            return "framestack"
        if self.policy in MEMORYLESS_POLICIES:
            return "mlp"
        return next(cell for cell in ("rnn", "lstm", "gru") if cell in self.policy.lower())

    @property
    def agent(self) -> str:
        """Short name of algorithm and memory, e.g. "ppo_gru" (the benchmark's agent names)."""
        return f"{self.algo}_{self.cell}"

    @property
    def recurrent(self) -> bool:
        """Whether the policy carries a recurrent core."""
        return self.policy not in MEMORYLESS_POLICIES


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where ``1e-3`` (no dot) is a string; this loader reads it as the float it is."""


_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)[eE][-+]?\d+$"),
    list("-+0123456789."),
)
_NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "+inf": float("inf"), "-inf": float("-inf")}


def parse_value(text: str) -> Any:
    """A ``--set`` value read as YAML: ``64`` -> 64, ``1e-3`` -> 0.001, ``[64, 64]`` -> a list, ``null`` -> None."""
    if text.strip().lower() in _NON_FINITE:  # YAML spells them .nan and .inf; users type nan and inf
        return _NON_FINITE[text.strip().lower()]
    try:
        return yaml.load(text, Loader=_Yaml12Loader) if text.strip() else ""  # a SafeLoader subclass
    except yaml.YAMLError:
        return text


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a preset or config file: a YAML mapping of RunConfig fields."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No preset file {str(path)!r}")
    try:
        data = yaml.load(path.read_text(), Loader=_Yaml12Loader) or {}  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    return data


def split_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Nest flat keys: hyperparameter names (``n_steps``) and ``hyperparams.n_steps`` go under "hyperparams"."""
    top, hyper = set(RunConfig.model_fields), set(Hyperparams.model_fields)
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        name = key.removeprefix("hyperparams.")
        if name in hyper and (name != key or name not in top):
            nested.setdefault("hyperparams", {})[name] = value
        else:
            nested[key] = value
    return nested


def _merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``update``, nested mappings merged key by key."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            value = _merge(merged[key], value)
        merged[key] = value
    return merged


def _validate(data: Mapping[str, Any], where: str) -> RunConfig:
    try:
        return RunConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(one_line(error, RunConfig, where)) from None


def preset_path(env_id: str) -> Path | None:
    """The shipped preset of a suite task (``pomdp/TMazeHard-v0`` -> ``presets/TMaze.yaml``), None if there is none."""
    import envs  # registers the suite

    info = envs.SUITE.get(env_id)
    if info is None:
        return None
    path = PRESET_DIR / f"{info.task}.yaml"
    return path if path.exists() else None


def resolve_config(
    env: str | None = None, preset: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> RunConfig:
    """Defaults, then the preset (``preset``, or the shipped one of ``env``), then ``overrides`` (flat keys).

    ``preset`` may also be an rl-zoo3 hyperparameter file; its entry for ``env`` applies (``agents.experiment.zoo``).
    """
    data = load_yaml(preset) if preset else {}
    env = env or data.get("env") or RunConfig.model_fields["env"].default
    if is_zoo_file(data, set(RunConfig.model_fields)):  # an rl-zoo3 file: the entry of env, in our keys
        data = read_entry(data, env, f"preset {preset}").data
    path = Path(preset) if preset else preset_path(env)
    if path is not None and not preset:
        data = load_yaml(path)
    if data:
        _validate(data, f"preset {path}")
    return _validate(_merge(data, {"env": env, **split_overrides(overrides or {})}), "the overrides")


def with_overrides(config: RunConfig, overrides: Mapping[str, Any]) -> RunConfig:
    """``config`` with flat ``overrides`` applied and validated."""
    return _validate(_merge(config_to_dict(config), split_overrides(overrides)), "the overrides")


def config_to_dict(config: RunConfig) -> dict[str, Any]:
    """Plain dict of every field, for config.yaml."""
    return config.model_dump()


def config_from_dict(data: Mapping[str, Any], where: str = "config") -> RunConfig:
    """Inverse of ``config_to_dict``, validated."""
    return _validate(data, where)


def describe_fields() -> list[tuple[str, str, Any, str]]:
    """(name, type and range, default, description) of every key, hyperparameters flattened; for ``--list-keys``."""
    rows = []
    for model in (RunConfig, Hyperparams):
        for name, info in model.model_fields.items():
            if name != "hyperparams":
                default = info.get_default(call_default_factory=True)
                rows.append((name, describe_field(info), default, info.description or ""))
    return rows
