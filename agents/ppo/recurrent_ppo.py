"""PPO with a recurrent policy (Elman RNN, LSTM or GRU): sb3-contrib's ``RecurrentPPO`` API, one fused core call per
minibatch.

Switching from sb3-contrib is one import:

    >>> from agents import RecurrentPPO
    >>> model = RecurrentPPO("MlpGruPolicy", "CartPole-v1", n_steps=32, batch_size=64)  # doctest: +SKIP
    >>> model.learn(10_000)  # doctest: +SKIP

``batch_size`` is the number of transitions in a minibatch, always. A minibatch holds ``batch_size //
sequence_length`` chunks of ``sequence_length`` consecutive steps of one env (default: the greatest common divisor
of ``n_steps`` and ``batch_size``, so that chunks tile both the rollout and the minibatch exactly). Chunks cross
episode boundaries freely: the cores reset at ``episode_starts`` inside one fused call, so nothing is padded.

Invalid-action masking works as in sb3-contrib's ``MaskablePPO``: when the env has an ``action_masks()`` method (e.g.
through sb3-contrib's ``ActionMasker`` wrapper), every rollout step is masked, its mask is stored with the step and
the update recomputes log-probabilities and entropy under the same mask; ``predict(..., action_masks=...)`` masks
at inference. ``learn(..., use_masking=False)`` ignores the env's masks (MaskablePPO's switch).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, TypeVar

import numpy as np
import torch
from gymnasium import spaces
from sb3_contrib.common.maskable.utils import get_action_masks, is_masking_supported
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.type_aliases import GymEnv, MaybeCallback, Schedule
from stable_baselines3.common.utils import FloatSchedule, explained_variance, obs_as_tensor
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs

from agents.ppo.buffers import RecurrentDictRolloutBuffer, RecurrentRolloutBuffer, RecurrentRolloutBufferSamples
from policies.actor_critic import POLICY_ALIASES, RecurrentActorCriticPolicy
from policies.masking import mask_size

SelfRecurrentPPO = TypeVar("SelfRecurrentPPO", bound="RecurrentPPO")
SATURATION = 0.95  # |h| above this counts as a saturated unit (tanh-bounded states)


def _sequence_length(n_steps: int, batch_size: int, n_epochs: int, sequence_length: int | None) -> int:
    """Check the rollout sizes; the chunk length defaults to gcd(n_steps, batch_size), which tiles both."""
    for name, value in (("n_steps", n_steps), ("batch_size", batch_size), ("n_epochs", n_epochs)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    length = math.gcd(n_steps, batch_size) if sequence_length is None else int(sequence_length)
    if length < 1 or n_steps % length:
        raise ValueError(f"sequence_length must divide n_steps={n_steps}, got {sequence_length!r}")
    return length


def _value_clip_schedule(clip_range_vf: float | Schedule | None) -> Schedule | None:
    """The value-clipping schedule: None turns clipping off, a constant must be positive."""
    if clip_range_vf is None:
        return None
    if isinstance(clip_range_vf, float | int) and clip_range_vf <= 0:
        raise ValueError("clip_range_vf must be positive; pass None to turn value clipping off")
    return FloatSchedule(clip_range_vf)


def _not_tuple(obs: VecEnvObs) -> np.ndarray | dict[str, np.ndarray]:
    """Narrow SB3's ``VecEnvObs``: its tuple case never occurs, as SB3's algorithms reject Tuple spaces."""
    assert not isinstance(obs, tuple), "SB3 algorithms do not support Tuple observation spaces"
    return obs


class RecurrentPPO(OnPolicyAlgorithm):
    """Proximal Policy Optimization with recurrent policies.

    Takes sb3-contrib's ``RecurrentPPO`` arguments, with the same defaults, plus ``sequence_length`` (the chunk
    length for truncated backpropagation through time, see the module docstring). See SB3's PPO for the rest.
    """

    policy_aliases: ClassVar[dict[str, type[BasePolicy]]] = dict(POLICY_ALIASES)
    policy: RecurrentActorCriticPolicy
    rollout_buffer: RecurrentRolloutBuffer | RecurrentDictRolloutBuffer
    clip_range: Schedule
    clip_range_vf: Schedule | None

    def __init__(
        self,
        policy: str | type[RecurrentActorCriticPolicy],
        env: GymEnv | str,
        learning_rate: float | Schedule = 3e-4,
        n_steps: int = 128,
        batch_size: int = 128,
        n_epochs: int = 10,
        gamma: float = 0.99,
        gae_lambda: float = 0.95,
        clip_range: float | Schedule = 0.2,
        clip_range_vf: float | Schedule | None = None,
        normalize_advantage: bool = True,
        ent_coef: float = 0.0,
        vf_coef: float = 0.5,
        max_grad_norm: float = 0.5,
        use_sde: bool = False,
        sde_sample_freq: int = -1,
        target_kl: float | None = None,
        stats_window_size: int = 100,
        tensorboard_log: str | None = None,
        policy_kwargs: dict[str, Any] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: torch.device | str = "auto",
        sequence_length: int | None = None,
        _init_setup_model: bool = True,
    ) -> None:
        if isinstance(policy, str) and policy not in self.policy_aliases:
            raise ValueError(f"Unknown policy {policy!r}: expected one of {', '.join(self.policy_aliases)}")
        self.sequence_length = _sequence_length(n_steps, batch_size, n_epochs, sequence_length)
        super().__init__(
            policy,
            env,
            learning_rate=learning_rate,
            n_steps=n_steps,
            gamma=gamma,
            gae_lambda=gae_lambda,
            ent_coef=ent_coef,
            vf_coef=vf_coef,
            max_grad_norm=max_grad_norm,
            use_sde=use_sde,
            sde_sample_freq=sde_sample_freq,
            stats_window_size=stats_window_size,
            tensorboard_log=tensorboard_log,
            policy_kwargs=policy_kwargs,
            verbose=verbose,
            seed=seed,
            device=device,
            _init_setup_model=False,
            supported_action_spaces=(spaces.Box, spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary),
        )
        self.batch_size, self.n_epochs = batch_size, n_epochs
        self.clip_range = FloatSchedule(clip_range)
        self.clip_range_vf = _value_clip_schedule(clip_range_vf)
        self.normalize_advantage = normalize_advantage
        self.target_kl = target_kl
        self.use_masking = True  # learn()'s use_masking: take the env's action masks when it has them
        if _init_setup_model:
            self._setup_model()

    def _setup_model(self) -> None:
        self._setup_lr_schedule()
        self.set_random_seed(self.seed)
        policy = self.policy_class(
            self.observation_space, self.action_space, self.lr_schedule, use_sde=self.use_sde, **self.policy_kwargs
        )
        if not isinstance(policy, RecurrentActorCriticPolicy):
            raise ValueError(f"RecurrentPPO needs a RecurrentActorCriticPolicy, got {type(policy).__name__}")
        self.policy = policy.to(self.device)
        space = self.observation_space
        buffer_args: dict[str, Any] = {"state_shape": self.policy.state_shape, "n_envs": self.n_envs}
        buffer_args.update(device=self.device, gamma=self.gamma, gae_lambda=self.gae_lambda)
        if isinstance(space, spaces.Dict):
            self.rollout_buffer = RecurrentDictRolloutBuffer(self.n_steps, space, self.action_space, **buffer_args)
        else:
            self.rollout_buffer = RecurrentRolloutBuffer(self.n_steps, space, self.action_space, **buffer_args)
        self._last_states = self.policy.initial_state(self.n_envs)

    def collect_rollouts(
        self,
        env: VecEnv,
        callback: BaseCallback,
        rollout_buffer: RolloutBuffer,
        n_rollout_steps: int,
    ) -> bool:
        """Fill the buffer with ``n_rollout_steps`` steps per env, storing the memory before every step."""
        assert isinstance(rollout_buffer, RecurrentRolloutBuffer | RecurrentDictRolloutBuffer)
        assert self._last_obs is not None, "No previous observation was provided"
        assert self._last_episode_starts is not None
        self.policy.set_training_mode(False)
        rollout_buffer.reset()
        if self.use_sde:
            self.policy.reset_noise(env.num_envs)
        callback.on_rollout_start()
        states, masking = self._last_states, self._masking(env)
        action_masks = None
        for n_steps in range(n_rollout_steps):
            if self.use_sde and self.sde_sample_freq > 0 and n_steps % self.sde_sample_freq == 0:
                self.policy.reset_noise(env.num_envs)
            with torch.no_grad():
                obs_tensor = obs_as_tensor(self._last_obs, self.device)
                starts = torch.as_tensor(self._last_episode_starts, dtype=torch.float32, device=self.device)
                if masking:
                    action_masks = get_action_masks(env)
                    rollout_buffer.add_masks(rollout_buffer.pos, action_masks)
                actions, values, log_probs, states = self.policy(obs_tensor, states, starts, action_masks=action_masks)
            actions = actions.cpu().numpy()
            clipped_actions = actions
            if isinstance(self.action_space, spaces.Box):
                clipped_actions = np.clip(actions, self.action_space.low, self.action_space.high)
            step_obs, rewards, dones, infos = env.step(clipped_actions)
            new_obs = _not_tuple(step_obs)
            self.num_timesteps += env.num_envs
            callback.update_locals(locals())
            if not callback.on_step():
                return False
            self._update_info_buffer(infos, dones)
            if isinstance(self.action_space, spaces.Discrete):
                actions = actions.reshape(-1, 1)
            self._bootstrap_truncations(rewards, dones, infos, states)
            rollout_buffer.add_state(rollout_buffer.pos, self._last_states)
            rollout_buffer.add(
                self._last_obs,  # type: ignore[arg-type]  # SB3's add() takes an array or a dict, by buffer class
                actions,
                rewards,
                self._last_episode_starts,
                values,
                log_probs,
            )
            self._last_obs = new_obs
            self._last_episode_starts = dones
            self._last_states = states
        with torch.no_grad():
            starts = torch.as_tensor(dones, dtype=torch.float32, device=self.device)
            values = self.policy.predict_values(obs_as_tensor(new_obs, self.device), states, starts)
        rollout_buffer.compute_returns_and_advantage(last_values=values, dones=dones)
        self._record_memory_stats(rollout_buffer.states)
        callback.update_locals(locals())
        callback.on_rollout_end()
        return True

    def _masking(self, env: VecEnv) -> bool:
        """Whether the rollout on ``env`` is masked: it is when the env has ``action_masks()``, unless switched off."""
        if not (self.use_masking and is_masking_supported(env)):
            return False
        if mask_size(self.action_space) == 0:
            raise ValueError(f"the env has action_masks(), but its action space {self.action_space} cannot be masked")
        return True

    def _bootstrap_truncations(
        self, rewards: np.ndarray, dones: np.ndarray, infos: list[dict], states: torch.Tensor
    ) -> None:
        """Add gamma * V(final observation) to the reward of episodes cut by a time limit, as SB3's PPO does."""
        truncated = [  # only the envs that finished: no per-env Python work at thousands of envs
            i
            for i in np.flatnonzero(dones).tolist()
            if infos[i].get("terminal_observation") is not None and infos[i].get("TimeLimit.truncated", False)
        ]
        if not truncated:
            return
        if isinstance(self.observation_space, spaces.Dict):
            terminal_obs: Any = {
                key: np.stack([infos[i]["terminal_observation"][key] for i in truncated])
                for key in self.observation_space
            }
        else:
            terminal_obs = np.stack([infos[i]["terminal_observation"] for i in truncated])
        with torch.no_grad():
            obs_tensor = self.policy.obs_to_tensor(terminal_obs)[0]
            # The memory after the last step belongs to the episode that was cut, so it is not reset here.
            starts = torch.zeros(len(truncated), device=self.device)
            terminal_values = self.policy.predict_values(obs_tensor, states[:, truncated], starts).flatten()
        rewards[truncated] += self.gamma * terminal_values.cpu().numpy()

    def _record_memory_stats(self, states: torch.Tensor) -> None:
        """Log mean |h| and the fraction of saturated units per core, over the rollout's stored states."""
        S, H = self.policy.state_shape
        flat = states.transpose(0, 1).reshape(S, -1, H)  # (n_steps, S, n_envs, H) -> (S, n_steps * n_envs, H)
        for name, state in self.policy.split_state(flat).items():
            hidden = self.policy.cores[name].hidden(state).abs()
            self.logger.record(f"memory/{name}_mean_abs_h", hidden.mean().item())
            self.logger.record(f"memory/{name}_saturated_fraction", (hidden > SATURATION).float().mean().item())

    def train(self) -> None:
        """Update the policy on the rollout: ``n_epochs`` passes over shuffled minibatches of whole chunks."""
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        clip_range = self.clip_range(self._current_progress_remaining)
        clip_range_vf = None
        if self.clip_range_vf is not None:
            clip_range_vf = self.clip_range_vf(self._current_progress_remaining)
        entropy_losses: list[float] = []
        pg_losses: list[float] = []
        value_losses: list[float] = []
        clip_fractions: list[float] = []
        approx_kl_divs: list[float] = []
        continue_training = True
        loss = torch.zeros(())
        parameters = list(self.policy.parameters())
        for epoch in range(self.n_epochs):
            approx_kl_divs = []
            for batch in self.rollout_buffer.get_sequences(self.batch_size, self.sequence_length):
                loss, stats = self._loss(batch, clip_range, clip_range_vf)
                self._check_finite(*stats[:3])
                for history, value in zip(
                    (pg_losses, value_losses, entropy_losses, clip_fractions, approx_kl_divs), stats, strict=True
                ):
                    history.append(value)
                approx_kl_div = stats[4]
                if self.target_kl is not None and approx_kl_div > 1.5 * self.target_kl:
                    continue_training = False
                    if self.verbose >= 1:
                        print(f"Early stopping at step {epoch} due to reaching max kl: {approx_kl_div:.2f}")
                    break
                self.policy.optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(parameters, self.max_grad_norm, foreach=True)
                self.policy.optimizer.step()
            self._n_updates += 1
            if not continue_training:
                break
        explained_var = explained_variance(self.rollout_buffer.values.flatten(), self.rollout_buffer.returns.flatten())
        self.logger.record("train/entropy_loss", np.mean(entropy_losses))
        self.logger.record("train/policy_gradient_loss", np.mean(pg_losses))
        self.logger.record("train/value_loss", np.mean(value_losses))
        self.logger.record("train/approx_kl", np.mean(approx_kl_divs))
        self.logger.record("train/clip_fraction", np.mean(clip_fractions))
        self.logger.record("train/loss", loss.item())
        self.logger.record("train/explained_variance", explained_var)
        if hasattr(self.policy, "log_std"):
            self.logger.record("train/std", torch.exp(self.policy.log_std).mean().item())
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/clip_range", clip_range)
        if clip_range_vf is not None:
            self.logger.record("train/clip_range_vf", clip_range_vf)

    def _loss(
        self, batch: RecurrentRolloutBufferSamples, clip_range: float, clip_range_vf: float | None
    ) -> tuple[torch.Tensor, list[float]]:
        """PPO's clipped loss on one minibatch, and [policy, value, entropy loss, clip fraction, approx. KL]."""
        actions = batch.actions
        if isinstance(self.action_space, spaces.Discrete):
            actions = actions.long().flatten()
        values, log_prob, entropy = self.policy.evaluate_actions(
            batch.observations, actions, batch.states, batch.episode_starts, batch.action_masks
        )
        values = values.flatten()
        advantages = batch.advantages
        if self.normalize_advantage and len(advantages) > 1:
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        ratio = torch.exp(log_prob - batch.old_log_prob)
        policy_loss_1 = advantages * ratio
        policy_loss_2 = advantages * torch.clamp(ratio, 1 - clip_range, 1 + clip_range)
        policy_loss = -torch.min(policy_loss_1, policy_loss_2).mean()
        values_pred = values
        if clip_range_vf is not None:
            values_pred = batch.old_values + torch.clamp(values - batch.old_values, -clip_range_vf, clip_range_vf)
        value_loss = torch.mean((batch.returns - values_pred) ** 2)
        entropy_loss = -torch.mean(-log_prob) if entropy is None else -torch.mean(entropy)
        loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss
        with torch.no_grad():
            log_ratio = log_prob - batch.old_log_prob
            clip_fraction = torch.mean((torch.abs(ratio - 1) > clip_range).float())
            approx_kl = torch.mean((torch.exp(log_ratio) - 1) - log_ratio)
            # One read-back per update instead of five.
            stats = torch.stack([policy_loss, value_loss, entropy_loss, clip_fraction, approx_kl]).tolist()
        return loss, stats

    def _check_finite(self, policy_loss: float, value_loss: float, entropy_loss: float) -> None:
        losses = {"policy_loss": policy_loss, "value_loss": value_loss, "entropy_loss": entropy_loss}
        bad = [name for name, value in losses.items() if not math.isfinite(value)]
        if bad:
            raise FloatingPointError(
                f"Non-finite {', '.join(bad)} at update {self._n_updates} ({losses}): check the rewards and "
                "observations for NaN/inf, or lower the learning rate; the last saved checkpoint is untouched"
            )

    def predict(  # type: ignore[override]  # adds sb3-contrib's MaskablePPO's action_masks
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: np.ndarray | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
        action_masks: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Actions and the next memory (see the policy's ``predict``); ``action_masks`` (n_envs, n) as MaskablePPO."""
        return self.policy.predict(observation, state, episode_start, deterministic, action_masks=action_masks)

    def learn(
        self: SelfRecurrentPPO,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int = 1,
        tb_log_name: str = "RecurrentPPO",
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
        use_masking: bool = True,
    ) -> SelfRecurrentPPO:
        """SB3's ``learn``; ``use_masking=False`` trains without the env's action masks (as ``MaskablePPO``'s)."""
        self.use_masking = use_masking
        return super().learn(
            total_timesteps=total_timesteps,
            callback=callback,
            log_interval=log_interval,
            tb_log_name=tb_log_name,
            reset_num_timesteps=reset_num_timesteps,
            progress_bar=progress_bar,
        )
