"""Speed benchmarks: training frames per second of ours vs sb3-contrib, and fused cores vs a step loop.

Contestants alternate within one invocation, so that drift in a shared machine's speed hits all of them alike;
results are medians and ratios, never single timings.

Example:
    >>> rows = training_speed("pomdp/CartPoleNoVel-v0", ["gru"], timesteps=2048, repeats=1)  # doctest: +SKIP
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import torch
from sb3_contrib import RecurrentPPO as Sb3ContribRecurrentPPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize

from agents.ppo import RecurrentPPO
from policies.cores import CELLS, RecurrentCore, make_core, step_through

SB3_CONTRIB = "sb3-contrib lstm"


def _linear(initial: float) -> Callable[[float], float]:
    return lambda progress_remaining: progress_remaining * initial


def zoo_preset(policy: str) -> dict[str, Any]:
    """rl-zoo3's CartPoleNoVel hyperparameters, with the policy_kwargs spelled as sb3-contrib spells them."""
    return dict(
        policy=policy,
        n_steps=32,
        batch_size=256,
        n_epochs=20,
        learning_rate=_linear(1e-3),
        clip_range=_linear(0.2),
        gamma=0.98,
        gae_lambda=0.8,
        ent_coef=0.0,
        policy_kwargs=dict(
            ortho_init=False,
            activation_fn=torch.nn.ReLU,
            lstm_hidden_size=64,
            enable_critic_lstm=True,
            net_arch=dict(pi=[64], vf=[64]),
        ),
    )


def training_fps(
    algo_class: type, policy: str, env_id: str, timesteps: int, seed: int, device: str, settings: Mapping[str, Any]
) -> float:
    """Environment steps per second of one training run, VecNormalize on 8 envs, construction excluded."""
    env = VecNormalize(make_vec_env(env_id, n_envs=8, seed=seed))
    model = algo_class(env=env, seed=seed, device=device, **{**zoo_preset(policy), **settings})
    begin = time.perf_counter()
    model.learn(timesteps)
    elapsed = time.perf_counter() - begin
    env.close()
    return model.num_timesteps / elapsed


def training_speed(
    env_id: str,
    cells: list[str],
    timesteps: int,
    repeats: int,
    seed: int = 0,
    device: str = "cpu",
    settings: Mapping[str, Any] | None = None,
    log: Callable[[str], None] = print,
) -> str:
    """The markdown table of fps per agent (median and runs) and the ratio to sb3-contrib's LSTM."""
    unknown = sorted(set(settings or {}) - set(zoo_preset("MlpLstmPolicy")))
    if unknown:
        raise ValueError(f"Unknown key {unknown[0]!r} in --set: expected one of {', '.join(zoo_preset('x'))}")
    agents = {SB3_CONTRIB: (Sb3ContribRecurrentPPO, "MlpLstmPolicy")}
    for cell in cells:
        agents[f"ours {cell}"] = (RecurrentPPO, f"Mlp{cell.capitalize()}Policy")
    results: dict[str, list[float]] = {name: [] for name in agents}
    for repeat in range(repeats):  # alternate, so that machine noise hits every agent alike
        for name, (algo_class, policy) in agents.items():
            fps = training_fps(algo_class, policy, env_id, timesteps, seed + repeat, device, settings or {})
            results[name].append(fps)
            log(f"repeat {repeat}: {name}: {fps:.0f} fps")
    base = statistics.median(results[SB3_CONTRIB])
    lines = ["| agent | fps (median) | runs | vs sb3-contrib |", "| --- | ---: | --- | ---: |"]
    for name, values in results.items():
        median = statistics.median(values)
        lines.append(f"| {name} | {median:.0f} | {', '.join(f'{v:.0f}' for v in values)} | {median / base:.2f}x |")
    return "\n".join(lines)


def _time_once(fn: Callable[..., Any], core: RecurrentCore, *inputs: torch.Tensor) -> float:
    """Seconds for forward + backward; the loss uses the final state too when ``fn`` returns one."""
    core.zero_grad()
    begin = time.perf_counter()
    result = fn(core, *inputs)
    loss = result[0].sum() + result[1].sum() if isinstance(result, tuple) else result.sum()
    loss.backward()
    return time.perf_counter() - begin


def core_speed(T: int, B: int, F: int, H: int, repeats: int, seed: int = 0, device: str = "cpu") -> str:
    """Markdown table: forward + backward of a (T, B, F) chunk with one reset per sequence, fused vs a step loop."""
    torch.manual_seed(seed)
    x = torch.randn(T, B, F, device=device)
    starts = torch.zeros(T, B, device=device)
    starts[torch.randint(1, T, (B,)), torch.arange(B)] = 1
    ways: dict[str, Callable[..., Any]] = {
        "loop": step_through,
        "forward": lambda core, x, state, starts: core(x, state, starts),
        "outputs": lambda core, x, state, starts: core.outputs(x, state, starts),  # the update's path
    }
    lines = [
        "| cell | step loop (ms) | fused, outputs + state (ms) | speed-up | fused, outputs only (ms) | speed-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cell in CELLS:
        core = make_core(cell, F, H).to(device)
        state = core.initial_state(B)
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(repeats):  # alternate so that machine noise hits every way alike
            for name, fn in ways.items():
                times[name].append(_time_once(fn, core, x, state, starts))
        ms = {name: statistics.median(values) * 1e3 for name, values in times.items()}
        loop, fwd, out = ms["loop"], ms["forward"], ms["outputs"]
        lines.append(f"| {cell} | {loop:.1f} | {fwd:.1f} | {loop / fwd:.1f}x | {out:.1f} | {loop / out:.1f}x |")
    return "\n".join(lines)
