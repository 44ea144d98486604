"""POMDP tasks for agents with memory; importing this package registers them under Gymnasium's `pomdp` namespace.

Example:
    >>> import gymnasium as gym
    >>> import envs
    >>> env = gym.make("pomdp/TMaze-v0")
    >>> envs.SUITE["pomdp/TMaze-v0"].memoryless_return
    0.5
"""

from envs.registration import NAMESPACE, SUITE, TaskInfo, register_envs
from envs.wrappers import FlickerObservation, MaskObservation, PreviousActionRewardObservation

__all__ = [
    "NAMESPACE",
    "SUITE",
    "FlickerObservation",
    "MaskObservation",
    "PreviousActionRewardObservation",
    "TaskInfo",
    "register_envs",
]
