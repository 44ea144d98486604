"""rl-zoo3 hyperparameter files (``hyperparams/ppo_lstm.yml``) read as presets: one entry per env id, mapped onto
this package's config keys, never ``eval``-ed.

An rl-zoo3 file maps env ids to settings in SB3's names, with ``lin_<x>`` for a learning rate or clip range that
decays linearly to 0 and ``policy_kwargs`` as a Python expression string (``"dict(ortho_init=False,
activation_fn=nn.ReLU)"``), which is read here with ``ast`` as data. Keys that the entry leaves out take the
defaults rl-zoo3 would run with: sb3-contrib ``RecurrentPPO``'s (SB3 ``PPO``'s for a memoryless policy) and 1 env.
Keys with no counterpart here (``use_sde``, ``env_wrapper``, ``policy_kwargs.log_std_init``, ...) are listed as
ignored.

Example:
    >>> entry = {"n_envs": 8, "n_timesteps": 1e5, "policy": "MlpLstmPolicy", "learning_rate": "lin_0.001",
    ...          "use_sde": True, "policy_kwargs": "dict(lstm_hidden_size=64, log_std_init=-2)"}
    >>> data, ignored = from_zoo(entry)
    >>> data["timesteps"], data["hyperparams"]["learning_rate"], data["hyperparams"]["lr_schedule"], ignored
    (100000, 0.001, 'linear', ['use_sde', 'policy_kwargs.log_std_init'])
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

# sb3-contrib RecurrentPPO's and RecurrentActorCriticPolicy's defaults, in this package's names.
RECURRENT_DEFAULTS: dict[str, Any] = {
    "n_envs": 1,
    "n_steps": 128,
    "batch_size": 128,
    "n_epochs": 10,
    "learning_rate": 3e-4,
    "clip_range": 0.2,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "ent_coef": 0.0,
    "vf_coef": 0.5,
    "max_grad_norm": 0.5,
    "target_kl": None,
    "normalize": False,
    "hidden_size": 256,
    "num_layers": 1,
    "shared_core": False,
    "critic_core": True,
    "net_arch": [64, 64],
    "activation": "tanh",
    "ortho_init": True,
}
# SB3 PPO's: the memoryless policy's first layer stands where the core would be (hidden_size), then net_arch.
MEMORYLESS_DEFAULTS: dict[str, Any] = {**RECURRENT_DEFAULTS, "n_steps": 2048, "batch_size": 64, "hidden_size": 64}
MEMORYLESS_DEFAULTS["net_arch"] = [64]
SAME_NAME = ("n_envs", "n_steps", "batch_size", "n_epochs", "gamma", "gae_lambda", "ent_coef", "vf_coef",
             "max_grad_norm", "target_kl")  # fmt: skip
SCHEDULED = {"learning_rate": "lr_schedule", "clip_range": "clip_schedule"}
POLICY_KWARGS = {
    "lstm_hidden_size": "hidden_size",
    "n_lstm_layers": "num_layers",
    "shared_lstm": "shared_core",
    "enable_critic_lstm": "critic_core",
    "ortho_init": "ortho_init",
}
ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh"}
TOP_LEVEL = ("timesteps", "policy", "frame_stack")  # RunConfig keys; the rest go under "hyperparams"


class Symbol(str):
    """A name in a ``policy_kwargs`` string, such as ``nn.ReLU``: kept as its dotted text, never looked up."""

    __slots__ = ()


class ZooEntry(NamedTuple):
    """The entry of an rl-zoo3 file used for an env: its key, the config it maps to and the keys ignored."""

    key: str
    data: dict[str, Any]
    ignored: list[str]


def is_zoo_file(data: Mapping[str, Any], config_keys: set[str]) -> bool:
    """Whether a preset's YAML is an rl-zoo3 file: every value a mapping, and no key a config key of ours."""
    return bool(data) and all(isinstance(v, Mapping) for v in data.values()) and not set(data) & config_keys


def _name(env_id: str) -> str:
    """``pomdp/CartPoleNoVel-v0`` and ``CartPoleNoVel-v1`` -> ``cartpolenovel``."""
    return re.sub(r"-v\d+$", "", env_id.split("/")[-1]).lower()


def find_entry(data: Mapping[str, Any], env_id: str, where: str) -> str:
    """The key of ``data`` for ``env_id``: the id itself, else the one entry with the same name up to namespace and
    version (``pomdp/CartPoleNoVel-v0`` takes ``CartPoleNoVel-v1``)."""
    if env_id in data:
        return env_id
    same = [key for key in data if _name(str(key)) == _name(env_id)]
    if len(same) != 1:
        found = "several entries" if same else "no entry"
        raise ValueError(f"{where} has {found} for {env_id!r}; its entries: {', '.join(map(str, data))}")
    return str(same[0])


def _value(node: ast.expr) -> Any:
    """A literal, list, dict, ``dict(...)`` call or dotted name of a ``policy_kwargs`` string, as data."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        return {kw.arg: _value(kw.value) for kw in node.keywords if kw.arg is not None}
    if isinstance(node, ast.Dict):
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(item) for item in node.elts]
    if isinstance(node, ast.Name | ast.Attribute):
        return Symbol(ast.unparse(node))
    return ast.literal_eval(node)  # numbers, strings, True/False/None; anything else raises


def parse_policy_kwargs(text: str) -> dict[str, Any]:
    """``"dict(lstm_hidden_size=64, activation_fn=nn.ReLU)"`` -> ``{"lstm_hidden_size": 64, "activation_fn":
    Symbol("nn.ReLU")}``, by parsing, never evaluating; a call other than ``dict(...)`` is a ValueError."""
    try:
        value = _value(ast.parse(text.strip(), mode="eval").body)
    except (SyntaxError, ValueError, TypeError) as error:
        raise ValueError(f"policy_kwargs {text!r}: expected dict(key=value, ...) of literals and names") from error
    if not isinstance(value, dict):
        raise ValueError(f"policy_kwargs {text!r}: expected dict(key=value, ...), got {type(value).__name__}")
    return value


def _schedule(value: Any) -> tuple[float, str]:
    """``"lin_0.001"`` -> (0.001, "linear"); 3e-4 -> (0.0003, "constant")."""
    if isinstance(value, str) and value.startswith("lin_"):
        return float(value.removeprefix("lin_")), "linear"
    return float(value), "constant"


def _net_arch(value: Any) -> list[int] | None:
    """A list of widths, ``dict(pi=..., vf=...)`` with equal lists, or the old ``[dict(pi=..., vf=...)]``."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    if isinstance(value, dict) and value.get("pi") == value.get("vf"):
        value = value.get("pi")
    if isinstance(value, list) and all(isinstance(width, int) for width in value):
        return value
    return None


def _policy_kwargs(kwargs: Mapping[str, Any], hyper: dict[str, Any], recurrent: bool) -> list[str]:
    """Apply what maps onto our keys; return the names of the rest."""
    ignored = []
    for key, value in kwargs.items():
        activation = ACTIVATIONS.get(str(value).split(".")[-1]) if isinstance(value, Symbol) else None
        arch = _net_arch(value) if key == "net_arch" else None
        if key in POLICY_KWARGS:
            hyper[POLICY_KWARGS[key]] = value
        elif key == "activation_fn" and activation is not None:
            hyper["activation"] = activation
        elif arch is not None and (recurrent or arch):
            hyper["net_arch"] = arch if recurrent else arch[1:]
            if not recurrent:
                hyper["hidden_size"] = arch[0]
        else:
            ignored.append(f"policy_kwargs.{key}")
    return ignored


def _normalize(value: Any) -> tuple[bool, bool]:
    """(normalize, whether options were dropped): ``true``, or a string such as ``"{'norm_obs': True}"``."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return text.lower() == "true", False
        return True, True  # normalize kwargs: obs and reward are always both normalised here
    return bool(value), False


def from_zoo(entry: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """An rl-zoo3 entry as a nested preset of our keys (defaults filled as rl-zoo3 runs it), and the ignored keys."""
    policy = str(entry.get("policy", "MlpLstmPolicy"))
    recurrent = any(cell in policy for cell in ("Lstm", "Gru", "Rnn"))
    hyper = dict(RECURRENT_DEFAULTS if recurrent else MEMORYLESS_DEFAULTS)
    top: dict[str, Any] = {"policy": policy}
    ignored: list[str] = []
    for key, value in entry.items():
        if key in SAME_NAME:
            hyper[key] = value
        elif key in SCHEDULED:
            hyper[key], hyper[SCHEDULED[key]] = _schedule(value)
        elif key == "n_timesteps":
            top["timesteps"] = int(float(value))
        elif key == "frame_stack":
            top["frame_stack"] = value
        elif key == "normalize":
            hyper["normalize"], dropped = _normalize(value)
            ignored += ["normalize options"] if dropped else []
        elif key == "policy_kwargs":
            kwargs = parse_policy_kwargs(value) if isinstance(value, str) else dict(value)
            ignored += _policy_kwargs(kwargs, hyper, recurrent)
        elif key != "policy":
            ignored.append(str(key))
    return {**top, "hyperparams": hyper}, ignored


def read_entry(data: Mapping[str, Any], env_id: str, where: str) -> ZooEntry:
    """The entry of an rl-zoo3 file's ``data`` for ``env_id``, as a preset; ``where`` names the file in errors."""
    key = find_entry(data, env_id, where)
    preset, ignored = from_zoo(data[key])
    return ZooEntry(key, preset, ignored)


def describe(entry: ZooEntry, where: str) -> str:
    """One line for the user: which entry was used and which of its keys were ignored."""
    ignored = ", ".join(entry.ignored) if entry.ignored else "none"
    return f"rl-zoo3 preset {where}, entry {entry.key}: ignored keys: {ignored}"
