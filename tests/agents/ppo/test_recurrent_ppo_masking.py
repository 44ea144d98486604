"""RecurrentPPO with action masks: no masked action, the update's log-probabilities equal the rollout's, predict."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from sb3_contrib.common.wrappers import ActionMasker
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv

import envs  # noqa: F401  # registers pomdp/MaskedRecall-v0
from agents import RecurrentPPO
from policies.masking import mask_size

TINY = dict(hidden_size=8, net_arch=[8])


class RandomMaskEnv(gym.Env):
    """A fresh random mask every step, shown in no observation; counts the masked actions it receives.

    It has no ``action_masks`` method of its own: ``ActionMasker`` adds it, as users of sb3-contrib do.
    """

    observation_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def __init__(self, action_space: spaces.Space):
        self.action_space = action_space
        self.sizes = {
            spaces.Discrete: lambda: [int(action_space.n)],
            spaces.MultiDiscrete: lambda: list(action_space.nvec),
            spaces.MultiBinary: lambda: [2] * int(action_space.n),
        }[type(action_space)]()
        self.violations, self.steps = 0, 0

    def masks(self) -> np.ndarray:
        return self.mask

    def _draw(self) -> None:
        parts = []
        for n in self.sizes:
            part = self.np_random.random(n) < 0.5
            part[self.np_random.integers(n)] = True
            parts.append(part)
        self.mask = np.concatenate(parts)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self._draw()
        return self.np_random.uniform(-1, 1, 2).astype(np.float32), {}

    def step(self, action):
        chosen = np.reshape(action, -1).astype(int) + np.cumsum([0, *self.sizes[:-1]])
        self.violations += int(not self.mask[chosen].all())
        self.steps += 1
        self._draw()
        done = bool(self.np_random.random() < 0.1)
        return self.np_random.uniform(-1, 1, 2).astype(np.float32), 0.0, done, False, {}


SPACES = [spaces.Discrete(4), spaces.MultiDiscrete([3, 2]), spaces.MultiBinary(3)]


@pytest.mark.parametrize("space", SPACES, ids=lambda s: type(s).__name__)
def test_no_masked_action_in_any_space(space):
    """2,000 steps per space here; 10,000 on MaskedRecall below."""
    env = DummyVecEnv([lambda: ActionMasker(RandomMaskEnv(space), RandomMaskEnv.masks) for _ in range(20)])
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=50, batch_size=1000, n_epochs=1, policy_kwargs=TINY, seed=0)
    model.learn(2_000)
    inner = [e.unwrapped for e in env.envs]
    assert sum(e.steps for e in inner) >= 2_000
    assert sum(e.violations for e in inner) == 0
    assert model.rollout_buffer.masked


def test_no_masked_action_in_10000_steps_of_masked_recall():
    """An invalid action would end a MaskedRecall episode early: every episode lasts its full length."""
    env = make_vec_env("pomdp/MaskedRecall-v0", n_envs=20, seed=0)
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=50, batch_size=1000, n_epochs=1, policy_kwargs=TINY, seed=0)
    model.learn(10_000)
    lengths = [info["l"] for info in model.ep_info_buffer]
    assert len(lengths) == 100  # the buffer's window, full
    assert set(lengths) == {6}


def test_without_masks_the_same_agent_takes_masked_actions():
    space = spaces.Discrete(4)
    env = DummyVecEnv([lambda: ActionMasker(RandomMaskEnv(space), RandomMaskEnv.masks) for _ in range(2)])
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=50, batch_size=100, n_epochs=1, policy_kwargs=TINY, seed=0)
    model.learn(500, use_masking=False)
    assert not model.rollout_buffer.masked
    assert sum(e.unwrapped.violations for e in env.envs) > 0


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_update_recomputes_masked_rollout_log_probs(cell):
    """Ratio 1 before the first gradient step, with the stored masks; without them the log-probabilities differ."""
    env = DummyVecEnv([lambda: ActionMasker(RandomMaskEnv(spaces.MultiDiscrete([3, 4])), RandomMaskEnv.masks)] * 3)
    policy = {"rnn": "MlpRnnPolicy", "lstm": "MlpLstmPolicy", "gru": "MlpGruPolicy"}[cell]
    model = RecurrentPPO(policy, env, n_steps=48, batch_size=32, policy_kwargs=dict(TINY, num_layers=2), seed=1)
    checked = []

    def check():
        with torch.no_grad():
            for batch in model.rollout_buffer.get_sequences(model.batch_size, model.sequence_length):
                assert batch.action_masks is not None
                assert batch.action_masks.shape == (len(batch.actions), 7)
                args = (batch.observations, batch.actions, batch.states, batch.episode_starts)
                _, log_prob, _ = model.policy.evaluate_actions(*args, batch.action_masks)
                torch.testing.assert_close(log_prob, batch.old_log_prob, atol=1e-5, rtol=0)
                _, unmasked, _ = model.policy.evaluate_actions(*args)
                assert (unmasked < batch.old_log_prob - 1e-3).any()
                checked.append(len(log_prob))

    model.train = check
    model.learn(2 * 48 * 3)
    assert sum(checked) == 2 * 48 * 3


def test_predict_obeys_masks_and_checks_them():
    env = make_vec_env("pomdp/MaskedRecall-v0", n_envs=2, seed=0)
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=8, batch_size=16, policy_kwargs=TINY, seed=0)
    obs = env.reset()
    state = None
    for mask in np.eye(4, dtype=bool):  # one valid action: it must be chosen, deterministic or not
        masks = np.stack([mask, mask])
        for deterministic in (True, False):
            actions, state = model.predict(obs, state, np.zeros(2), deterministic, action_masks=masks)
            assert actions.tolist() == [int(np.argmax(mask))] * 2
    with pytest.raises(ValueError, match=r"must have n_envs \* 4 = 8 entries"):
        model.predict(obs, action_masks=np.ones((2, 3), dtype=bool))
    box = RecurrentPPO("MlpGruPolicy", "Pendulum-v1", n_steps=8, batch_size=8, policy_kwargs=TINY)
    with pytest.raises(ValueError, match=r"need a Discrete, MultiDiscrete or MultiBinary action space"):
        box.predict(np.zeros(3, np.float32), action_masks=np.ones(1, dtype=bool))
    assert mask_size(box.action_space) == 0
