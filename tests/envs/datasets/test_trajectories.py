"""collect_trajectories: complete episodes of a recurrent policy, labelled with the env's true state."""

import numpy as np
import pytest

from envs.datasets.trajectories import collect_trajectories


class TurnUpAtJunction:
    """A scripted policy with sb3-contrib's predict signature: forward, then up at the junction."""

    def predict(self, obs, state=None, episode_start=None, deterministic=True):
        return np.where(obs[:, 3] == 1, 1, 0), state


def test_collect_trajectories_labels_each_step_with_the_true_state():
    from stable_baselines3.common.env_util import make_vec_env

    import envs  # noqa: F401 - registers pomdp/*

    env = make_vec_env("pomdp/TMaze-v0", n_envs=2, seed=0)
    data = collect_trajectories(TurnUpAtJunction(), env, n_episodes=6)
    assert len(data.observations) == len(data.states) == len(data.actions) == 6
    for obs, states, actions, ret in zip(data.observations, data.states, data.actions, data.returns, strict=True):
        assert obs.shape == (7, 4)  # positions 0..6; the turn at the junction ends the episode
        assert states[:, 0].tolist() == list(range(7))
        cue = states[0, 1]
        assert (states[:, 1] == cue).all()
        assert obs[0, cue] == 1  # the cue is visible at the start only
        assert actions.tolist() == [0] * 6 + [1]
        assert ret == (1.0 if cue == 0 else 0.0)
    with pytest.raises(ValueError, match="n_episodes must be >= 1"):
        collect_trajectories(TurnUpAtJunction(), env, n_episodes=0)
