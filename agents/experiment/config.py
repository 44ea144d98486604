"""Typed run configuration: frozen dataclasses, YAML presets per task and ``key=value`` overrides, never ``eval``.

A config is resolved in layers, each checked against the field types: the dataclass defaults, the task's preset
(``agents/presets/<Task>.yaml``, or a file), then explicit overrides (command-line flags and ``--set key=value``).

Example:
    >>> config = resolve_config("pomdp/TMaze-v0", overrides={"seed": 1, "n_steps": 64})
    >>> config.hyperparams.n_steps, config.agent
    (64, 'ppo_gru')
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import itertools
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml

PRESET_DIR = Path(__file__).parent / "presets"
ALGOS = ("ppo", "sb3c")
MEMORYLESS_POLICIES = ("MlpPolicy", "CnnPolicy", "MultiInputPolicy")
RECURRENT_POLICIES = tuple(
    f"{obs}{cell}Policy" for obs in ("Mlp", "Cnn", "MultiInput") for cell in ("Rnn", "Lstm", "Gru")
)
# Benchmark agent name -> (algo, policy, frame_stack).
AGENTS: dict[str, tuple[str, str, int]] = {
    "ppo_gru": ("ppo", "MlpGruPolicy", 0),
    "ppo_lstm": ("ppo", "MlpLstmPolicy", 0),
    "ppo_rnn": ("ppo", "MlpRnnPolicy", 0),
    "ppo_mlp": ("ppo", "MlpPolicy", 0),
    "ppo_framestack": ("ppo", "MlpPolicy", 4),
    "sb3c_lstm": ("sb3c", "MlpLstmPolicy", 0),
}


@dataclass(frozen=True)
class Hyperparams:
    """PPO and policy hyperparameters, SB3's names; one set per task, shared by every agent for a fair comparison."""

    n_envs: int = 8
    """Parallel environments; a rollout holds n_envs * n_steps transitions."""
    n_steps: int = 128
    """Steps per environment per rollout."""
    batch_size: int = 128
    """Transitions per minibatch (recurrent agents: whole chunks of sequence_length steps)."""
    n_epochs: int = 10
    """Passes over each rollout."""
    learning_rate: float = 3e-4
    """Adam step size (the initial one when lr_schedule is "linear")."""
    lr_schedule: Literal["constant", "linear"] = "constant"
    """"linear" decays the learning rate to 0 over the run."""
    clip_range: float = 0.2
    """PPO ratio clip (the initial one when clip_schedule is "linear")."""
    clip_schedule: Literal["constant", "linear"] = "constant"
    """"linear" decays the clip range to 0 over the run."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.95
    """GAE bias/variance trade-off."""
    ent_coef: float = 0.0
    """Entropy bonus weight."""
    vf_coef: float = 0.5
    """Value loss weight."""
    max_grad_norm: float = 0.5
    """Gradient norm clip."""
    target_kl: float | None = None
    """Stop an update early when the KL divergence exceeds 1.5 * target_kl; null = never."""
    normalize: bool = False
    """Wrap the envs in VecNormalize (observations and rewards); its statistics are saved with every checkpoint."""
    hidden_size: int = 64
    """Units of the recurrent core (memoryless agents: width of the extra layer that stands in for the core)."""
    num_layers: int = 1
    """Stacked recurrent layers."""
    shared_core: bool = False
    """Actor and critic read one core."""
    critic_core: bool = True
    """The critic gets its own core (when not shared); False gives it a feed-forward layer."""
    layer_norm: bool = False
    """Layer norm on the core outputs (our agents only)."""
    net_arch: list[int] = field(default_factory=lambda: [64])
    """Hidden layers of the actor and critic heads, after the core."""
    activation: Literal["tanh", "relu"] = "tanh"
    """Activation of the heads."""
    ortho_init: bool = True
    """Orthogonal initialisation of the linear layers (SB3's default)."""
    sequence_length: int | None = None
    """Chunk length for backpropagation through time (our agents only); null = gcd(n_steps, batch_size)."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run depends on; written to the run directory as config.yaml."""

    env: str = "pomdp/CartPoleNoVel-v0"
    """Gymnasium id (``import envs`` registers the pomdp/ suite)."""
    algo: Literal["ppo", "sb3c"] = "ppo"
    """"ppo": this package's RecurrentPPO (SB3's PPO for memoryless policies); "sb3c": sb3-contrib's RecurrentPPO."""
    policy: str = "MlpGruPolicy"
    """Policy alias: Mlp/Cnn/MultiInput + Rnn/Lstm/Gru + Policy, or MlpPolicy for the memoryless baseline."""
    frame_stack: int = 0
    """Stack the last frame_stack observations (VecFrameStack) for a memoryless policy; 0 = off."""
    timesteps: int = 100_000
    """Total environment steps of the run."""
    seed: int = 0
    """Seed of the model and the environments."""
    vec_env: Literal["dummy", "subproc"] = "dummy"
    """Step the envs in this process (dummy) or in one process each (subproc: for slow envs only)."""
    device: str = "cpu"
    """Torch device: small recurrent models run faster on "cpu" than on a GPU; "auto" picks cuda when present."""
    threads: int = 1
    """Torch CPU threads: on 2-core machines small models ran 3-17x slower with 2 threads than with 1."""
    eval_freq: int = 10_000
    """Evaluate every eval_freq environment steps (0 = only at the end)."""
    eval_episodes: int = 20
    """Episodes per evaluation."""
    checkpoint_freq: int = 20_000
    """Save a checkpoint every checkpoint_freq environment steps (and always on Ctrl-C and at the end)."""
    threshold: float | None = None
    """Return that counts as solving the task (benchmark: steps to reach it); null = 95% of the optimal return."""
    hyperparams: Hyperparams = field(default_factory=Hyperparams)
    """PPO and policy hyperparameters."""

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


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """(T, True) for ``T | None``, else (tp, False)."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [arg for arg in get_args(tp) if arg is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return args[0], True
    return tp, False


def type_name(tp: Any) -> str:
    """How an annotation reads in error messages: int, float | None, one of ['constant', 'linear'], list[int]."""
    inner, optional = _unwrap_optional(tp)
    if get_origin(inner) is Literal:
        name = f"one of {list(get_args(inner))}"
    elif get_origin(inner) is list:
        name = f"list[{get_args(inner)[0].__name__}]"
    else:
        name = inner.__name__
    return f"{name} | None" if optional else name


def _as_float(value: Any) -> float | None:
    """``value`` as a float if it is a number or a numeric string (PyYAML reads "1e-3", without a dot, as a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def coerce(key: str, value: Any, tp: Any) -> Any:
    """Check ``value`` against the annotation ``tp`` and return it (ints widen to float); else raise a TypeError.

    >>> coerce("gamma", 1, float)
    1.0
    """
    inner, optional = _unwrap_optional(tp)
    if value is None and optional:
        return None
    origin = get_origin(inner)
    ok = False
    if origin is Literal:
        ok = value in get_args(inner)
    elif origin is list:
        item = get_args(inner)[0]
        if isinstance(value, list):
            return [coerce(f"{key}[{i}]", v, item) for i, v in enumerate(value)]
    elif inner is bool:
        ok = isinstance(value, bool)
    elif inner is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif inner is float:
        number = _as_float(value)
        if number is not None:
            return number
    elif inner is str:
        ok = isinstance(value, str)
    if not ok:
        raise TypeError(f"{key}={value!r}: expected {type_name(tp)}, got {type(value).__name__}")
    return value


def _unknown_key(key: str, known: list[str], where: str) -> ValueError:
    close = difflib.get_close_matches(key, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return ValueError(f"Unknown key {key!r} in {where}{hint}: expected one of {', '.join(known)}")


def _build(cls: type, values: Mapping[str, Any], where: str, base: Any = None) -> Any:
    """An instance of dataclass ``cls`` from ``base`` (or the defaults) updated with type-checked ``values``."""
    hints = get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    updates: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise _unknown_key(key, known, where)
        if dataclasses.is_dataclass(hints[key]):
            if not isinstance(value, Mapping):
                raise TypeError(f"{key}: expected a mapping of {hints[key].__name__} fields, got {value!r}")
            value = _build(hints[key], value, f"{where} ({key})", getattr(base, key) if base else None)
        else:
            value = coerce(key, value, hints[key])
        updates[key] = value
    return dataclasses.replace(base, **updates) if base is not None else cls(**updates)


def split_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Nest flat keys: hyperparameter names (``n_steps``) and ``hyperparams.n_steps`` go under "hyperparams"."""
    top = {f.name for f in dataclasses.fields(TrainConfig)}
    hyper = {f.name for f in dataclasses.fields(Hyperparams)}
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        name = key.removeprefix("hyperparams.")
        if name in hyper and (name != key or name not in top):
            nested.setdefault("hyperparams", {})[name] = value
        elif key in top or "." in key:
            nested[key] = value
        else:
            raise _unknown_key(key, sorted(top - {"hyperparams"} | hyper), "the overrides")
    return nested


def parse_set(items: list[str]) -> dict[str, Any]:
    """``["n_steps=64", "net_arch=[64, 64]"]`` -> ``{"n_steps": 64, "net_arch": [64, 64]}`` (values read as YAML)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r}: expected key=value, e.g. n_steps=64")
        out[key.strip()] = yaml.safe_load(text) if text.strip() else ""
    return out


def parse_pairs(pairs: list[str]) -> tuple[tuple[str, object], ...]:
    """``["lr=0.001", "cell=lstm"]`` -> ``(("lr", 0.001), ("cell", "lstm"))``: Python literals; bare words stay strings.

    The sequence-head scripts' ``--set``/``--data`` options (estimator and data-generator arguments).
    """
    parsed = []
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise ValueError(f"Expected key=value, got {pair!r}")
        try:
            value: object = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        parsed.append((key, value))
    return tuple(parsed)


def preset_path(env_id: str) -> Path | None:
    """The shipped preset of a suite task (``pomdp/TMazeHard-v0`` -> ``presets/TMaze.yaml``), None if there is none."""
    import envs  # registers the suite

    info = envs.SUITE.get(env_id)
    if info is None:
        return None
    path = PRESET_DIR / f"{info.task}.yaml"
    return path if path.exists() else None


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a preset or config file: a YAML mapping of TrainConfig fields."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No preset file {str(path)!r}")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    return data


def resolve_config(
    env: str | None = None, preset: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> TrainConfig:
    """Defaults, then the preset (``preset``, or the shipped one of ``env``), then ``overrides`` (flat keys)."""
    data = load_yaml(preset) if preset else {}
    env = env or data.get("env") or TrainConfig.env
    path = Path(preset) if preset else preset_path(env)
    if path is not None and not preset:
        data = load_yaml(path)
    layers = [(data, f"preset {path}"), ({"env": env, **split_overrides(overrides or {})}, "the overrides")]
    config = TrainConfig()
    for values, where in layers:
        config = _build(TrainConfig, values, where, config)
    return check_config(config)


def with_overrides(config: TrainConfig, overrides: Mapping[str, Any]) -> TrainConfig:
    """``config`` with flat ``overrides`` applied and checked."""
    return check_config(_build(TrainConfig, split_overrides(overrides), "the overrides", config))


def check_config(config: TrainConfig) -> TrainConfig:
    """Checks across fields that the types cannot express; returns the config."""
    hp = config.hyperparams
    if config.policy not in RECURRENT_POLICIES + MEMORYLESS_POLICIES:
        expected = ", ".join(RECURRENT_POLICIES + MEMORYLESS_POLICIES)
        raise ValueError(f"policy={config.policy!r}: expected one of {expected}")
    if config.algo == "sb3c" and config.cell != "lstm":
        raise ValueError(f"algo='sb3c' (sb3-contrib's RecurrentPPO) has LSTM policies only, got policy={config.policy}")
    if config.frame_stack and config.recurrent:
        raise ValueError(f"frame_stack={config.frame_stack} is for memoryless policies, got {config.policy}")
    for name in ("timesteps", "threads", "eval_episodes"):
        if getattr(config, name) < 1:
            raise ValueError(f"{name} must be >= 1, got {getattr(config, name)}")
    for name in ("n_envs", "n_steps", "batch_size", "n_epochs", "hidden_size", "num_layers"):
        if getattr(hp, name) < 1:
            raise ValueError(f"{name} must be >= 1, got {getattr(hp, name)}")
    return config


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """Plain dict of every field, for config.yaml."""
    return dataclasses.asdict(config)


def config_from_dict(data: Mapping[str, Any], where: str = "config") -> TrainConfig:
    """Inverse of ``config_to_dict``, type-checked."""
    return check_config(_build(TrainConfig, data, where))


def describe_fields(cls: type = TrainConfig) -> list[tuple[str, str, Any, str]]:
    """(name, type, default, docstring) for every field, nested dataclasses flattened; for ``--list-keys``."""
    tree = ast.parse(inspect.getsource(cls))
    docs: dict[str, str] = {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            docs[node.target.id] = str(after.value.value)  # type: ignore[union-attr]
    hints = get_type_hints(cls)
    rows = []
    defaults = cls()
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            rows += describe_fields(hints[f.name])
        else:
            rows.append((f.name, type_name(hints[f.name]), getattr(defaults, f.name), docs.get(f.name, "")))
    return rows
