"""The algorithm: PPO with a recurrent policy, and the rollout buffers that hand out whole sequences."""

from agents.ppo.recurrent_ppo import RecurrentPPO

__all__ = ["RecurrentPPO"]
