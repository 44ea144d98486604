"""Episodes of a policy, labelled with the env's hidden state, to train probes of what the policy remembers."""

from __future__ import annotations

from typing import Any, NamedTuple, TypeAlias

import numpy as np

Step: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray]  # observation, true state, action


class Trajectories(NamedTuple):
    """Complete episodes: what the policy was fed at each step, and the env's true state at that step."""

    observations: list[np.ndarray]  # per episode (T_i, *obs_shape), after any VecNormalize: the policy's input
    states: list[np.ndarray]  # per episode (T_i, S): ``env.unwrapped.get_state()`` when that observation was made
    actions: list[np.ndarray]  # per episode (T_i, *action_shape)
    returns: np.ndarray  # (n_episodes,) undiscounted returns, in the rewards the VecEnv reports


def collect_trajectories(model: Any, env: Any, n_episodes: int, deterministic: bool = True) -> Trajectories:
    """Play ``n_episodes`` complete episodes with a recurrent policy in a VecEnv whose envs have ``get_state()``.

    ``model`` is anything with sb3-contrib's ``predict(obs, state, episode_start, deterministic)`` (RecurrentPPO).
    With several envs the episodes are taken in the order they finish (shorter ones slightly favoured); use one env
    for an unbiased sample. The final observation of an episode, which the policy never acts on, is left out.
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be >= 1, got {n_episodes}")
    obs = env.reset()
    memory, starts = None, np.ones(env.num_envs, dtype=bool)
    running: list[list[Step]] = [[] for _ in range(env.num_envs)]
    totals = np.zeros(env.num_envs)
    episodes: list[list[Step]] = []
    returns: list[float] = []
    while len(episodes) < n_episodes:
        hidden = np.stack(env.env_method("get_state"))  # (n_envs, S)
        actions, memory = model.predict(obs, state=memory, episode_start=starts, deterministic=deterministic)
        for i, steps in enumerate(running):
            steps.append((obs[i], hidden[i], actions[i]))
        obs, rewards, starts, _ = env.step(actions)
        totals += rewards
        for i in np.flatnonzero(starts).tolist():
            episodes.append(running[i])
            returns.append(totals[i])
            running[i], totals[i] = [], 0.0
    kept = episodes[:n_episodes]
    observations, states, actions = ([np.stack([step[k] for step in e]) for e in kept] for k in range(3))
    return Trajectories(observations, states, actions, np.array(returns[:n_episodes]))
