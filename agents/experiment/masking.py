"""Masking and memory side by side: our masked recurrent agent, the same agent trained without masks, and
sb3-contrib's memoryless ``MaskablePPO``, with one task's preset, on several seeds (``scripts/bench_masking.py``).

Every agent trains with the task's preset hyperparameters (``MaskablePPO`` gets ``hidden_size`` as an extra layer,
as SB3's memoryless PPO does in the benchmarks) and is evaluated deterministically: the masked agents with the env's
masks, the unmasked one without them, as each was trained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from sb3_contrib import MaskablePPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.utils import LinearSchedule

from agents.experiment.builders import make_env, make_eval_env, make_model, policy_kwargs
from agents.experiment.config import RunConfig, resolve_config
from agents.experiment.evaluation import evaluate_agent

AGENTS: dict[str, str] = {
    "ours_masked": "ours (GRU), masked",
    "ours_unmasked": "ours (GRU), unmasked",
    "maskable_ppo": "sb3-contrib MaskablePPO (memoryless)",
}


class MaskingResult(NamedTuple):
    """One agent's final evaluation on one seed."""

    agent: str
    seed: int
    mean_return: float
    success_rate: float | None


def _maskable_ppo(config: RunConfig, env: Any) -> MaskablePPO:
    """``MaskablePPO`` with the preset's hyperparameters, under its own names."""
    hp = config.hyperparams
    lr = LinearSchedule(hp.learning_rate, 0.0, 1.0) if hp.lr_schedule == "linear" else hp.learning_rate
    clip = LinearSchedule(hp.clip_range, 0.0, 1.0) if hp.clip_schedule == "linear" else hp.clip_range
    return MaskablePPO(
        "MlpPolicy", env, learning_rate=lr, n_steps=hp.n_steps, batch_size=hp.batch_size, n_epochs=hp.n_epochs,
        gamma=hp.gamma, gae_lambda=hp.gae_lambda, clip_range=clip, ent_coef=hp.ent_coef, vf_coef=hp.vf_coef,
        max_grad_norm=hp.max_grad_norm, target_kl=hp.target_kl, policy_kwargs=policy_kwargs(config),
        seed=config.seed, device=config.device,
    )  # fmt: skip


def train_agent(
    agent: str, env_id: str, seed: int, timesteps: int | None = None, device: str = "cpu"
) -> tuple[BaseAlgorithm, RunConfig]:
    """Train one of ``AGENTS`` on ``env_id`` with its preset (``timesteps``: the preset's when None)."""
    if agent not in AGENTS:
        raise ValueError(f"Unknown agent {agent!r}: expected one of {', '.join(AGENTS)}")
    policy = "MlpPolicy" if agent == "maskable_ppo" else "MlpGruPolicy"
    config = resolve_config(env_id, overrides={"seed": seed, "device": device, "policy": policy})
    env = make_env(config)
    model = _maskable_ppo(config, env) if agent == "maskable_ppo" else make_model(config, env)
    model.learn(timesteps or config.timesteps, use_masking=agent != "ours_unmasked")  # type: ignore[call-arg]
    return model, config


def compare_masking(
    env_id: str,
    seeds: list[int],
    timesteps: int | None,
    episodes: int,
    device: str = "cpu",
    log: Callable[[str], Any] = print,
) -> list[MaskingResult]:
    """Train and evaluate every agent of ``AGENTS`` on every seed, ``episodes`` evaluation episodes each."""
    results = []
    for seed in seeds:
        for agent in AGENTS:
            model, config = train_agent(agent, env_id, seed, timesteps, device)
            eval_env = make_eval_env(config.model_copy(update={"eval_episodes": episodes}))
            outcome = evaluate_agent(model, eval_env, env_id, episodes, use_masking=agent != "ours_unmasked")
            results.append(MaskingResult(agent, seed, float(np.mean(outcome.returns)), outcome.success_rate))
            log(f"{AGENTS[agent]}, seed {seed}: return {results[-1].mean_return:.3f}")
    return results


def masking_table(results: list[MaskingResult]) -> str:
    """A Markdown table: mean ± std over seeds of each agent's return, and the per-seed returns."""
    lines = ["| agent | return, mean ± std over seeds | per seed |", "| --- | --- | --- |"]
    for agent, label in AGENTS.items():
        returns = [r.mean_return for r in results if r.agent == agent]
        if returns:
            per_seed = ", ".join(f"{value:.3f}" for value in returns)
            lines.append(f"| {label} | {np.mean(returns):.3f} ± {np.std(returns):.3f} | {per_seed} |")
    return "\n".join(lines)
