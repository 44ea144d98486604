"""The sequence sampler: chunks of consecutive steps of one env, time-major, with the states they start from."""

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.env_util import make_vec_env

from agents import RecurrentPPO
from agents.ppo.buffers import RecurrentDictRolloutBuffer, RecurrentRolloutBuffer

N_STEPS, N_ENVS, STATE_SHAPE = 8, 3, (2, 4)
TINY = dict(hidden_size=8, net_arch=[8])


def fill(buffer, seed: int = 0) -> None:
    """Step (t, e) stores observation [t, e], action t, reward 10t + e and a state full of 100t + e."""
    rng = np.random.default_rng(seed)
    envs = np.arange(N_ENVS, dtype=np.float32)
    for t in range(N_STEPS):
        obs = np.stack([np.full(N_ENVS, t, np.float32), envs], axis=1)
        if isinstance(buffer, RecurrentDictRolloutBuffer):
            obs = {"pos": obs, "extra": np.repeat(obs[:, :1], 3, axis=1)}
        state = torch.full((STATE_SHAPE[0], N_ENVS, STATE_SHAPE[1]), 100.0 * t) + torch.arange(N_ENVS).view(1, -1, 1)
        buffer.add_state(buffer.pos, state)
        starts = rng.random(N_ENVS) < 0.3
        buffer.add(obs, np.full((N_ENVS, 1), t), 10.0 * t + envs, starts, torch.zeros(N_ENVS), torch.zeros(N_ENVS))


def make_buffer(dict_observations: bool = False):
    action_space = spaces.Discrete(2)
    if dict_observations:
        space = spaces.Dict({"pos": spaces.Box(-100, 100, (2,)), "extra": spaces.Box(-100, 100, (3,))})
        buffer = RecurrentDictRolloutBuffer(N_STEPS, space, action_space, STATE_SHAPE, n_envs=N_ENVS)
    else:
        space = spaces.Box(-100, 100, (2,))
        buffer = RecurrentRolloutBuffer(N_STEPS, space, action_space, STATE_SHAPE, n_envs=N_ENVS)
    fill(buffer)
    return buffer


def check_chunks(buffer, batch, T: int) -> set[tuple[int, int]]:
    """Check one minibatch's layout against what ``fill`` stored; return the (t, env) steps it holds."""
    obs = batch.observations["pos"] if isinstance(batch.observations, dict) else batch.observations
    N = batch.episode_starts.shape[1]
    assert batch.episode_starts.shape == (T, N)
    times, envs = obs[:, 0].view(T, N).long(), obs[:, 1].view(T, N).long()  # time-major: row t * N + n
    assert (envs == envs[0]).all(), "a chunk holds one env"
    torch.testing.assert_close(times, times[0] + torch.arange(T).view(T, 1), check_dtype=False)  # consecutive
    assert (times[0] % T == 0).all(), "chunks tile the rollout"
    torch.testing.assert_close(batch.actions.view(T, N), times.float())
    stored_starts = torch.as_tensor(buffer.episode_starts, dtype=torch.float32)[times, envs]
    torch.testing.assert_close(batch.episode_starts, stored_starts)
    assert batch.states.shape == (STATE_SHAPE[0], N, STATE_SHAPE[1])
    torch.testing.assert_close(batch.states, buffer.states[times[0], :, envs[0]].transpose(0, 1))  # at chunk starts
    torch.testing.assert_close(batch.states[0, :, 0], 100.0 * times[0] + envs[0])
    return set(zip(times.flatten().tolist(), envs.flatten().tolist(), strict=True))


@pytest.mark.parametrize("dict_observations", [False, True])
@pytest.mark.parametrize(("batch_size", "T"), [(8, 4), (12, 4), (24, 8), (4, 1)])
def test_chunks_cover_the_rollout_once(dict_observations, batch_size, T):
    buffer = make_buffer(dict_observations)
    batches = list(buffer.get_sequences(batch_size, T))
    seen = [check_chunks(buffer, batch, T) for batch in batches]
    per_batch = (batch_size // T) * T
    assert [len(b.returns) for b in batches[:-1]] == [per_batch] * (len(batches) - 1)
    assert set().union(*seen) == {(t, e) for t in range(N_STEPS) for e in range(N_ENVS)}
    assert sum(len(s) for s in seen) == N_STEPS * N_ENVS
    if dict_observations:
        for batch in batches:
            torch.testing.assert_close(batch.observations["extra"][:, 0], batch.observations["pos"][:, 0])


def test_sequence_length_must_divide_n_steps():
    with pytest.raises(ValueError, match="n_steps=8 must be a multiple of sequence_length=3"):
        next(make_buffer().get_sequences(6, 3))


def test_batch_size_counts_transitions():
    env = make_vec_env("CartPole-v1", n_envs=4, seed=0)
    model = RecurrentPPO("MlpLstmPolicy", env, n_steps=32, batch_size=64, policy_kwargs=TINY)
    model.learn(128 * 1)
    sizes = [len(b.returns) for b in model.rollout_buffer.get_sequences(model.batch_size, model.sequence_length)]
    assert sizes == [64, 64]
