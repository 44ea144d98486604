"""Small environments for the agent tests (a module, not a conftest: tests import these classes)."""

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class ConstantRewardEnv(gym.Env):
    """Reward 1 every step and a zero observation; episodes end only by the time limit (truncation)."""

    observation_space = spaces.Box(-1.0, 1.0, (1,), np.float32)
    action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action):
        return np.zeros(1, np.float32), 1.0, False, False, {}


class CueEnv(gym.Env):
    """Shows a cue (+1/-1) at the first step only; after ``delay`` blank steps, reward 1 for the action that matches.

    A memoryless policy scores 0.5 on average; one that remembers the cue scores 1.
    """

    action_space = spaces.Discrete(2)

    def __init__(self, delay: int = 3, obs_space: spaces.Space | None = None):
        self.delay = delay
        self.observation_space = obs_space or spaces.Box(-1.0, 1.0, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.cue, self.t = int(self.np_random.integers(2)), 0
        return np.array([2.0 * self.cue - 1.0], np.float32), {}

    def step(self, action):
        self.t += 1
        done = self.t > self.delay
        reward = float(done and int(action) == self.cue)
        return np.zeros(1, np.float32), reward, done, False, {}


class SmallDictEnv(gym.Env):
    """Dict observations: a 7x7x3 image (too small for NatureCNN), a vector and a discrete entry."""

    observation_space = spaces.Dict(
        {
            "img": spaces.Box(0, 255, (7, 7, 3), np.uint8),
            "vec": spaces.Box(-1.0, 1.0, (2,), np.float32),
            "tag": spaces.Discrete(3),
        }
    )
    action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self.observation_space.sample(), {}

    def step(self, action):
        self.t += 1
        return self.observation_space.sample(), float(action), self.t >= 10, False, {}
