"""Rollout buffers that hand out whole sequences, with the memory each one starts from.

SB3's buffers compute GAE and returns; these add the policy state before every step, (S, n_envs, H) per step, and
sample minibatches of fixed-length chunks of consecutive steps of one env. A chunk may cross episode boundaries:
its ``episode_starts`` tell the core where to reset, so no padding ever enters the losses. When the env offers
action masks, the mask of every step is stored too (as sb3-contrib's maskable buffers do) and sampled with its step.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Generator
from typing import NamedTuple

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.buffers import BaseBuffer, DictRolloutBuffer, RolloutBuffer
from stable_baselines3.common.type_aliases import TensorDict

from policies.masking import mask_size

SAMPLED_ARRAYS = ("actions", "values", "log_probs", "advantages", "returns", "episode_starts")


class RecurrentRolloutBufferSamples(NamedTuple):
    """A minibatch of N chunks of T steps. Flat tensors are time-major: index t * N + n."""

    observations: torch.Tensor | TensorDict  # (T*N, *obs_shape)
    actions: torch.Tensor  # (T*N, action_dim)
    old_values: torch.Tensor  # (T*N,)
    old_log_prob: torch.Tensor  # (T*N,)
    advantages: torch.Tensor  # (T*N,)
    returns: torch.Tensor  # (T*N,)
    episode_starts: torch.Tensor  # (T, N)
    states: torch.Tensor  # (S, N, H) memory before each chunk's first step
    action_masks: torch.Tensor | None = None  # (T*N, mask_size), None when the rollout had no masks


class SequenceSampler(BaseBuffer):
    """Base of the recurrent buffers (before SB3's buffer in their bases): stores states, samples chunks."""

    def init_states(self, state_shape: tuple[int, int]) -> None:
        self.state_shape = state_shape
        S, H = state_shape
        self.states = torch.zeros(self.buffer_size, S, self.n_envs, H, device=self.device)  # (n_steps, S, n_envs, H)
        self.action_masks = np.ones((self.buffer_size, self.n_envs, mask_size(self.action_space)), dtype=bool)

    def reset(self) -> None:
        super().reset()
        self.masked = False  # set by add_masks: only then do minibatches carry masks

    def add_state(self, pos: int, state: torch.Tensor) -> None:
        self.states[pos] = state

    def add_masks(self, pos: int, action_masks: np.ndarray) -> None:
        """Store the (n_envs, mask_size) action masks of step ``pos``; call it at every step of a masked rollout."""
        self.action_masks[pos] = np.asarray(action_masks, dtype=bool).reshape(self.n_envs, -1)
        self.masked = True

    @abstractmethod
    def observation_tensors(self) -> torch.Tensor | TensorDict:
        """The stored observations as (n_steps, n_envs, *obs_shape) tensors (a dict of them for Dict spaces)."""

    def _chunk_data(self) -> dict[str, torch.Tensor]:
        """Everything else a minibatch needs, as (n_steps, n_envs, ...) tensors, converted once per update."""
        arrays = {name: getattr(self, name) for name in SAMPLED_ARRAYS}
        return {name: self.to_torch(value.astype(np.float32, copy=False)) for name, value in arrays.items()}

    def get_sequences(
        self, batch_size: int, sequence_length: int
    ) -> Generator[RecurrentRolloutBufferSamples, None, None]:
        """Shuffled minibatches of ``batch_size // sequence_length`` chunks (the last one may hold fewer)."""
        T = sequence_length
        if self.buffer_size % T:
            raise ValueError(f"n_steps={self.buffer_size} must be a multiple of sequence_length={T}")
        obs, data = self.observation_tensors(), self._chunk_data()
        masks = self.to_torch(self.action_masks) if self.masked else None  # (n_steps, n_envs, mask_size)
        n_chunks = (self.buffer_size // T) * self.n_envs
        per_batch = max(1, batch_size // T)
        order = torch.as_tensor(np.random.permutation(n_chunks), device=self.device)  # noqa: NPY002  # SB3 seeds this
        steps = torch.arange(T, device=self.device).view(T, 1)
        for begin in range(0, n_chunks, per_batch):
            chunk = order[begin : begin + per_batch]
            start, env = (chunk // self.n_envs) * T, chunk % self.n_envs  # (N,)
            times, envs = start.view(1, -1) + steps, env.view(1, -1).expand(T, -1)  # (T, N)

            def take(x: torch.Tensor, times: torch.Tensor = times, envs: torch.Tensor = envs) -> torch.Tensor:
                return x[times, envs].reshape(-1, *x.shape[2:])  # (T, N, ...) -> (T*N, ...)

            yield RecurrentRolloutBufferSamples(
                observations={k: take(v) for k, v in obs.items()} if isinstance(obs, dict) else take(obs),
                actions=take(data["actions"]),
                old_values=take(data["values"]),
                old_log_prob=take(data["log_probs"]),
                advantages=take(data["advantages"]),
                returns=take(data["returns"]),
                episode_starts=data["episode_starts"][times, envs],
                states=self.states[start, :, env].transpose(0, 1),  # (N, S, H) -> (S, N, H)
                action_masks=None if masks is None else take(masks),
            )


class RecurrentRolloutBuffer(SequenceSampler, RolloutBuffer):
    """SB3's ``RolloutBuffer`` that also keeps the policy state before every step."""

    def __init__(self, buffer_size: int, observation_space: spaces.Space, action_space: spaces.Space,
                 state_shape: tuple[int, int], **kwargs) -> None:  # fmt: skip
        super().__init__(buffer_size, observation_space, action_space, **kwargs)
        self.init_states(state_shape)

    def observation_tensors(self) -> torch.Tensor:
        return self.to_torch(self.observations)


class RecurrentDictRolloutBuffer(SequenceSampler, DictRolloutBuffer):
    """SB3's ``DictRolloutBuffer`` that also keeps the policy state before every step."""

    def __init__(self, buffer_size: int, observation_space: spaces.Dict, action_space: spaces.Space,
                 state_shape: tuple[int, int], **kwargs) -> None:  # fmt: skip
        super().__init__(buffer_size, observation_space, action_space, **kwargs)
        self.init_states(state_shape)

    def observation_tensors(self) -> TensorDict:
        return {key: self.to_torch(value) for key, value in self.observations.items()}
