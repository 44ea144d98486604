"""Everything that learns: recurrent PPO and the trainer of the sequence heads."""

from agents.recurrent_ppo import RecurrentPPO

__all__ = ["RecurrentPPO"]
