"""MaskedRecall: its masks, the rule that ends an episode, and both bounds against scripted policies."""

import numpy as np
import pytest
from sb3_contrib.common.maskable.utils import get_action_masks, is_masking_supported
from stable_baselines3.common.env_util import make_vec_env

from envs.memory.masked_recall import MaskedRecallEnv


def lowest_valid(env: MaskedRecallEnv, obs: np.ndarray, state: np.ndarray) -> int:
    """Memoryless and obeys the masks: the valid action of lowest index (ignores the state)."""
    return int(np.flatnonzero(env.action_masks())[0])


def cue_keeper(env: MaskedRecallEnv, obs: np.ndarray, state: np.ndarray) -> int:
    """Remembers the cue (read from the state at the query only) and obeys the masks."""
    if obs[-1] == 1.0:
        return int(state[1])
    return lowest_valid(env, obs, state)


def blind_cue_keeper(env: MaskedRecallEnv, obs: np.ndarray, state: np.ndarray) -> int:
    """Remembers the cue but ignores the masks: action 0 until the query."""
    return int(state[1]) if obs[-1] == 1.0 else 0


def mean_return(env: MaskedRecallEnv, policy, n_episodes: int) -> float:
    total = 0.0
    for episode in range(n_episodes):
        obs, info = env.reset(seed=episode)
        done = False
        while not done:
            obs, reward, done, _, info = env.step(policy(env, obs, info["state"]))
            total += reward
    return total / n_episodes


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_masks_hold_n_valid_actions_and_the_cue_at_the_query(level):
    env = MaskedRecallEnv(level)
    for seed in range(20):
        obs, info = env.reset(seed=seed)
        cue = int(np.argmax(obs))
        assert cue == info["state"][1]
        for t in range(env.length):
            mask = env.action_masks()
            assert mask.sum() == env.n_valid
            np.testing.assert_array_equal(info["state"][2:], mask)
            if t == env.length - 1:
                assert mask[cue]
                assert obs[-1] == 1.0
            else:
                assert obs[-1] == 0.0
                assert t == 0 or not obs.any()
            obs, _, terminated, _, info = env.step(int(np.flatnonzero(mask)[0]))
            assert terminated == (t == env.length - 1)
        assert not obs.any()


def test_an_invalid_action_ends_the_episode_with_nothing():
    env = MaskedRecallEnv()
    env.reset(seed=0)
    invalid = int(np.flatnonzero(~env.action_masks())[0])
    _, reward, terminated, truncated, info = env.step(invalid)
    assert (reward, terminated, truncated) == (0.0, True, False)
    assert info["state"][0] == env.length
    assert env.action_masks().all()  # nothing is masked once the episode is over


def test_bounds_against_scripted_policies():
    env = MaskedRecallEnv()
    assert (env.memoryless_return, env.unmasked_return) == (0.5, 0.5**5)
    assert mean_return(env, cue_keeper, 300) == 1.0
    assert mean_return(env, lowest_valid, 1000) == pytest.approx(0.5, abs=0.05)  # 3 standard errors
    assert mean_return(env, blind_cue_keeper, 2000) == pytest.approx(0.5**5, abs=0.012)


def test_overrides_and_their_checks():
    env = MaskedRecallEnv("hard", n_symbols=5, n_valid=3, length=4)
    assert (env.n_symbols, env.n_valid, env.max_episode_steps) == (5, 3, 4)
    assert env.memoryless_return == pytest.approx(1 / 3)
    assert env.unmasked_return == pytest.approx((3 / 5) ** 3)
    with pytest.raises(ValueError, match=r"n_valid must be an integer in \[1, 3\], got 4"):
        MaskedRecallEnv(n_symbols=4, n_valid=4)
    with pytest.raises(ValueError, match=r"length must be an integer >= 2, got 1"):
        MaskedRecallEnv(length=1)


def test_vector_env_masks_through_sb3_contrib():
    env = make_vec_env("pomdp/MaskedRecall-v0", n_envs=3, seed=0)
    assert is_masking_supported(env)
    env.reset()
    masks = get_action_masks(env)
    assert masks.shape == (3, 4)
    assert (masks.sum(axis=1) == 2).all()
