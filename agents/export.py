"""Export a recurrent policy with its memory: one step as a graph ``(observation, state, episode_start) -> (action,
new_state, ...)`` in ONNX or TorchScript, to run without this package (onnxruntime and numpy suffice).

The graph is the deterministic policy of ``model.predict`` for a batch of B environments:

    inputs   observation    (B, *obs_shape) float32
             state          (S, B, H) float32, the memory returned by the previous step (zeros at the start)
             episode_start  (B,) float32, 1 where an episode has just begun (the memory is zeroed there)
             action_mask    (B, n) bool, only when exported with ``action_masks=True`` (see docs/masking.md)
    outputs  action         (B,) int64 for Discrete, (B, k) int64 for MultiDiscrete and MultiBinary, (B, A) float32
                            for Box (clipped to the bounds, as ``predict`` does)
             new_state      (S, B, H) float32
             value          (B, 1) float32, the critic's estimate
             logits         (B, n) float32 for Discrete, MultiDiscrete (concatenated) and MultiBinary (Bernoulli
                            logits); for Box ``mean`` and ``log_std`` (B, A) instead: the action distribution

``VecNormalize`` observation statistics can be folded in (``normalize=``): the graph then takes raw observations.

Example:
    >>> from agents import RecurrentPPO, export
    >>> model = RecurrentPPO("MlpGruPolicy", "CartPole-v1", n_steps=8, batch_size=8)  # doctest: +SKIP
    >>> export(model, "policy.onnx")  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.distributions import DiagGaussianDistribution
from stable_baselines3.common.preprocessing import preprocess_obs
from stable_baselines3.common.vec_env import VecNormalize
from torch import nn

from agents.ppo.recurrent_ppo import RecurrentPPO
from policies.actor_critic import RecurrentActorCriticPolicy
from policies.cores import RecurrentCore
from policies.masking import mask_size

ExportFormat = Literal["onnx", "torchscript"]
FORMATS: tuple[str, ...] = ("onnx", "torchscript")
OPSET = 17
HUGE_NEGATIVE = -1e8  # the logit sb3-contrib's maskable distributions give a masked choice


def _core_step(core: RecurrentCore, x: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One step (B, F) of a core through its ``nn.RNN``/``nn.LSTM``/``nn.GRU`` module, which ONNX has as one op."""
    out, final = core.rnn(x.unsqueeze(0), core._to_module(state))  # (1, B, F) -> (1, B, H)
    return core.norm(out[0]), core._from_module(final)


class PolicyStep(nn.Module):
    """One deterministic step of a recurrent policy as a traceable module (what :func:`export` writes)."""

    def __init__(
        self, policy: RecurrentActorCriticPolicy, normalize: VecNormalize | None = None, action_masks: bool = False
    ) -> None:
        super().__init__()
        space, action_space = policy.observation_space, policy.action_space
        if not isinstance(space, spaces.Box):
            raise ValueError(f"export needs a Box observation space, got {space}")
        if policy.use_sde:
            raise ValueError("export does not support gSDE policies (use_sde=True)")
        if action_masks and mask_size(action_space) == 0:
            raise ValueError(f"action_masks=True needs a Discrete, MultiDiscrete or MultiBinary space: {action_space}")
        self.policy, self.action_space, self.action_masks = policy, action_space, action_masks
        self.sizes = [core.state_size for core in policy.cores.values()]
        self.obs_norm: tuple[torch.Tensor, torch.Tensor, float] | None = None
        if normalize is not None and normalize.norm_obs:
            rms = normalize.obs_rms
            assert not isinstance(rms, dict), "Dict observations are refused above"
            mean = torch.as_tensor(rms.mean, dtype=torch.float32)
            scale = torch.as_tensor(1.0 / np.sqrt(rms.var + normalize.epsilon), dtype=torch.float32)
            self.obs_norm = (mean, scale, float(normalize.clip_obs))
        if isinstance(action_space, spaces.Box):
            self.low = torch.as_tensor(action_space.low, dtype=torch.float32)
            self.high = torch.as_tensor(action_space.high, dtype=torch.float32)

    @property
    def output_names(self) -> list[str]:
        dist = ["mean", "log_std"] if isinstance(self.action_space, spaces.Box) else ["logits"]
        return ["action", "new_state", "value", *dist]

    @property
    def input_names(self) -> list[str]:
        return ["observation", "state", "episode_start"] + (["action_mask"] if self.action_masks else [])

    def _features(self, obs: torch.Tensor, extractor: nn.Module) -> torch.Tensor:
        return extractor(preprocess_obs(obs, self.policy.observation_space, self.policy.normalize_images))

    def forward(
        self,
        observation: torch.Tensor,
        state: torch.Tensor,
        episode_start: torch.Tensor,
        action_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        policy = self.policy
        if self.obs_norm is not None:
            mean, scale, clip = self.obs_norm
            observation = torch.clamp((observation - mean) * scale, -clip, clip)
        state = state * (1.0 - episode_start).view(1, -1, 1)  # (S, B, H) zeroed where an episode starts
        states = torch.split(state, self.sizes, dim=0)
        pi_features = self._features(observation, policy.pi_features_extractor)
        vf_features = (
            pi_features
            if policy.share_features_extractor
            else self._features(observation, policy.vf_features_extractor)
        )
        latent_pi, actor_state = _core_step(policy.actor_core, pi_features, states[0])
        new_states = [actor_state]
        if policy.critic_core is not None:
            latent_vf, critic_state = _core_step(policy.critic_core, vf_features, states[1])
            new_states.append(critic_state)
        elif policy.critic_linear is not None:
            latent_vf = policy.critic_linear(vf_features)
        else:
            latent_vf = latent_pi
        new_state = torch.cat(new_states, dim=0)
        value = policy.value_net(policy.mlp_extractor.forward_critic(latent_vf))
        params = policy.action_net(policy.mlp_extractor.forward_actor(latent_pi))  # (B, n) logits or (B, A) means
        if isinstance(self.action_space, spaces.Box):
            assert isinstance(policy.action_dist, DiagGaussianDistribution)
            action = torch.maximum(torch.minimum(params, self.high), self.low)  # predict's clip (no gSDE: no squash)
            log_std = policy.log_std.expand_as(params)
            return action, new_state, value, params, log_std
        return self._discrete_action(params, action_mask), new_state, value, params

    def _discrete_action(self, logits: torch.Tensor, action_mask: torch.Tensor | None) -> torch.Tensor:
        """The mode of each categorical (argmax of the logits, masked ones excluded)."""
        space = self.action_space
        if isinstance(space, spaces.MultiBinary):
            two_way = torch.stack([torch.zeros_like(logits), logits], dim=-1)  # (B, n, 2): logits of 0 and 1
            if action_mask is not None:
                two_way = torch.where(action_mask.view(two_way.shape), two_way, torch.full_like(two_way, HUGE_NEGATIVE))
            return torch.argmax(two_way, dim=-1)
        if action_mask is not None:
            logits = torch.where(action_mask.view(logits.shape), logits, torch.full_like(logits, HUGE_NEGATIVE))
        if isinstance(space, spaces.Discrete):
            return torch.argmax(logits, dim=1)
        assert isinstance(space, spaces.MultiDiscrete)
        return torch.stack([torch.argmax(part, dim=1) for part in torch.split(logits, list(space.nvec), dim=1)], 1)

    def example_inputs(self, batch_size: int = 2) -> tuple[torch.Tensor, ...]:
        """Zero inputs of the graph's shapes for ``batch_size`` envs (what tracing runs)."""
        space = self.policy.observation_space
        assert space.shape is not None
        S, H = self.policy.state_shape
        inputs: tuple[torch.Tensor, ...] = (
            torch.zeros(batch_size, *space.shape),
            torch.zeros(S, batch_size, H),
            torch.ones(batch_size),
        )
        if self.action_masks:
            inputs += (torch.ones(batch_size, mask_size(self.action_space), dtype=torch.bool),)
        return inputs


def export(
    model: RecurrentPPO | RecurrentActorCriticPolicy,
    path: str | Path,
    format: ExportFormat = "onnx",
    normalize: VecNormalize | None = None,
    action_masks: bool = False,
    opset_version: int = OPSET,
) -> Path:
    """Write one step of ``model``'s deterministic policy, memory in and out, to ``path``.

    Args:
        model: a :class:`RecurrentPPO` or its policy.
        path: the file to write (``.onnx`` or ``.pt`` by convention).
        format: ``"onnx"`` (through ``torch.onnx.export``'s TorchScript-based exporter, which needs no onnxscript) or
            ``"torchscript"`` (``torch.jit.trace``; load with ``torch.jit.load``).
        normalize: a ``VecNormalize`` whose observation statistics are folded into the graph.
        action_masks: add an ``action_mask`` input (B, n) bool, as ``predict(..., action_masks=...)`` takes.
        opset_version: ONNX opset.

    Returns:
        ``path`` as a ``Path``. The graph's inputs and outputs are listed in the module docstring; every batch size
        works.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    policy = model.policy if isinstance(model, RecurrentPPO) else model
    if not isinstance(policy, RecurrentActorCriticPolicy):
        raise TypeError(f"export needs a RecurrentPPO or a RecurrentActorCriticPolicy, got {type(model).__name__}")
    path = Path(path)
    training, device = policy.training, policy.device
    policy.set_training_mode(False)
    step = PolicyStep(policy.to("cpu"), normalize, action_masks).eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", category=DeprecationWarning)
            warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
            # The state is an input, which is what the exporter's warning about RNN batch sizes asks for.
            warnings.filterwarnings("ignore", message=".*batch_size other than 1")
            if format == "torchscript":
                torch.jit.save(torch.jit.trace(step, step.example_inputs(), check_trace=False), str(path))
            else:
                _export_onnx(step, path, opset_version)
    finally:
        policy.to(device)
        policy.set_training_mode(training)
    return path


def _export_onnx(step: PolicyStep, path: Path, opset_version: int) -> None:
    batch = "batch"
    axes: dict[str, dict[int, str]] = {"observation": {0: batch}, "state": {1: batch}, "episode_start": {0: batch}}
    axes.update({"action_mask": {0: batch}} if step.action_masks else {})
    axes.update({name: {0: batch} for name in step.output_names if name != "new_state"}, new_state={1: batch})
    torch.onnx.export(
        step,
        step.example_inputs(),
        str(path),
        dynamo=False,
        input_names=step.input_names,
        output_names=step.output_names,
        dynamic_axes=axes,
        opset_version=opset_version,
    )
