"""Shared helpers for the env tests: scripted episodes that may read the true state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

# policy(observation, true state) -> action; a memoryless policy must ignore the state.
Policy = Callable[[np.ndarray, np.ndarray], Any]


def _mean_return(env: gym.Env, policy: Policy, n_episodes: int, seed: int = 0) -> float:
    """Average undiscounted return of `policy` over `n_episodes` seeded episodes."""
    returns = []
    for episode in range(n_episodes):
        obs, info = env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, info = env.step(policy(obs, info["state"]))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


@pytest.fixture
def mean_return() -> Callable[..., float]:
    """`mean_return(env, policy, n_episodes)`: average return of a scripted policy."""
    return _mean_return
