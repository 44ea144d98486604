"""Recurrent actor-critic policies: SB3's ``ActorCriticPolicy`` with a recurrent core between features and heads.

    observation -> features extractor -> actor core  -> mlp_extractor.pi -> action distribution
                                      -> critic core -> mlp_extractor.vf -> value
                                         (or the actor core when shared, or a linear layer when feed-forward)

The policy's memory is one tensor of shape (S, B, H): the actor core's state stacked over the critic core's (when
the critic has its own core). Rollout buffers, ``predict`` and scripts treat it as opaque.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np
import torch
from gymnasium import spaces
from sb3_contrib.common.maskable.distributions import MaybeMasks
from stable_baselines3.common.distributions import Distribution
from stable_baselines3.common.policies import ActorCriticPolicy, BaseModel
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor, MlpExtractor, NatureCNN
from stable_baselines3.common.type_aliases import PyTorchObs, Schedule

from policies.cores import CELLS, CellType, RecurrentCore, check_cell, inner_resets, make_core, split_segments
from policies.extractors import ImageCNN, MultiInputExtractor
from policies.masking import masked_distribution

DEFAULT_HIDDEN_SIZE = 256  # sb3-contrib's lstm_hidden_size default
# sb3-contrib's RecurrentPPO policy_kwargs, mapped onto ours so that code written for it runs unchanged.
SB3_CONTRIB_NAMES = {
    "lstm_hidden_size": "hidden_size",
    "n_lstm_layers": "num_layers",
    "shared_lstm": "shared_core",
    "enable_critic_lstm": "critic_core",
}


class PolicyConfigError(ValueError, AssertionError):
    """Conflicting or invalid recurrent ``policy_kwargs``.

    A ``ValueError`` like every user error here, and an ``AssertionError`` because sb3-contrib checks the same
    conflicts with ``assert``: code and tests written against either catch it.
    """


class CoreConfig(NamedTuple):
    """The recurrent part of a policy's configuration, with sb3-contrib's names mapped onto ours."""

    cell: CellType
    hidden_size: int
    num_layers: int
    shared_core: bool
    critic_core: bool  # the critic has a core of its own
    layer_norm: bool
    core_kwargs: dict[str, Any]


RECURRENT_KWARGS = (*CoreConfig._fields, *SB3_CONTRIB_NAMES, "lstm_kwargs")  # what the policy takes off SB3's kwargs


def map_sb3_contrib_kwargs(kwargs: dict[str, Any], cell: CellType) -> dict[str, Any]:
    """Translate sb3-contrib's names; mixing them with ours for the same setting is an error."""
    mapped = dict(kwargs)
    for theirs, ours in SB3_CONTRIB_NAMES.items():
        if theirs in mapped:
            if ours in mapped:
                raise PolicyConfigError(f"Give either {theirs!r} (sb3-contrib's name) or {ours!r}, not both")
            mapped[ours] = mapped.pop(theirs)
    if "lstm_kwargs" in mapped:
        if cell != "lstm":
            raise PolicyConfigError(f"'lstm_kwargs' configures an LSTM core, but this policy's cell is {cell!r}")
        mapped["core_kwargs"] = {**(mapped.get("core_kwargs") or {}), **(mapped.pop("lstm_kwargs") or {})}
    return mapped


def resolve_cell(cell: str | None, default_cell: CellType | None, policy_name: str) -> CellType:
    """The policy's cell: ``cell`` if given (it must agree with an alias's cell), else the alias's, else LSTM."""
    if cell is None:
        return default_cell or "lstm"
    try:
        checked = check_cell(cell)
    except ValueError as error:
        raise PolicyConfigError(str(error)) from None
    if default_cell is not None and checked != default_cell:
        raise PolicyConfigError(
            f"{policy_name} has cell {default_cell!r}, got cell={cell!r}: "
            f"choose the alias of that cell instead (cells: {', '.join(CELLS)})"
        )
    return checked


def core_config(
    recurrent: dict[str, Any], default_cell: CellType | None, policy_name: str, share_features_extractor: bool = True
) -> CoreConfig:
    """Validate the recurrent ``policy_kwargs`` (ours or sb3-contrib's names); sizes default to sb3-contrib's."""
    cell = resolve_cell(recurrent.get("cell"), default_cell, policy_name)
    mapped = map_sb3_contrib_kwargs({k: v for k, v in recurrent.items() if k != "cell"}, cell)
    shared_core = bool(mapped.get("shared_core", False))
    config = CoreConfig(
        cell=cell,
        hidden_size=int(mapped.get("hidden_size", DEFAULT_HIDDEN_SIZE)),
        num_layers=int(mapped.get("num_layers", 1)),
        shared_core=shared_core,
        critic_core=bool(mapped.get("critic_core", not shared_core)),
        layer_norm=bool(mapped.get("layer_norm", False)),
        core_kwargs=dict(mapped.get("core_kwargs") or {}),
    )
    if config.shared_core and config.critic_core:
        raise PolicyConfigError("shared_core=True and critic_core=True conflict: choose a shared or a separate core")
    if config.shared_core and not share_features_extractor:
        raise PolicyConfigError("shared_core=True needs share_features_extractor=True")
    return config


def _fused_adam(kwargs: dict[str, Any]) -> None:
    """Ask Adam/AdamW for the fused kernel (2-4x faster than the per-tensor loop for small CPU networks)."""
    if kwargs.get("optimizer_class", torch.optim.Adam) not in (torch.optim.Adam, torch.optim.AdamW):
        return
    if kwargs.get("optimizer_kwargs") is None:
        kwargs["optimizer_kwargs"] = {"eps": 1e-5}  # SB3's default for Adam, which we would otherwise drop
    optimizer_kwargs = dict(kwargs["optimizer_kwargs"])
    if not {"foreach", "fused"} & set(optimizer_kwargs):
        optimizer_kwargs["fused"] = True
    kwargs["optimizer_kwargs"] = optimizer_kwargs


class RecurrentActorCriticPolicy(ActorCriticPolicy):
    """Actor-critic policy with an Elman RNN, LSTM or GRU core.

    Takes every argument of SB3's ``ActorCriticPolicy`` plus:

    Args:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"`` (the aliases fix it: ``MlpGruPolicy`` is a GRU).
        hidden_size: units per core layer (default 256, sb3-contrib's).
        num_layers: stacked core layers.
        shared_core: actor and critic read the same core (trained by both losses).
        critic_core: when not shared, give the critic a core of its own (True, the default) or a feed-forward layer
            (False).
        layer_norm: layer norm on the core outputs.
        core_kwargs: extra arguments for the core (e.g. ``dropout``).

    sb3-contrib's names are accepted too: ``lstm_hidden_size``, ``n_lstm_layers``, ``shared_lstm``,
    ``enable_critic_lstm``, ``lstm_kwargs``. Conflicting settings raise :class:`PolicyConfigError`.
    """

    default_cell: ClassVar[CellType | None] = None

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        lr_schedule: Schedule,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        recurrent = {key: kwargs.pop(key) for key in list(kwargs) if key in RECURRENT_KWARGS}
        share_features = kwargs.get("share_features_extractor", True)
        self.core_config = core_config(recurrent, self.default_cell, type(self).__name__, share_features)
        self.cell, self.hidden_size = self.core_config.cell, self.core_config.hidden_size
        _fused_adam(kwargs)
        super().__init__(observation_space, action_space, lr_schedule, *args, **kwargs)

    # Construction -------------------------------------------------------------------------------------------------

    def _build_mlp_extractor(self) -> None:
        """Build the cores here, inside SB3's ``_build``, so that its optimizer sees their parameters."""
        features_dim, config = int(self.features_dim), self.core_config
        core_args = dict(num_layers=config.num_layers, layer_norm=config.layer_norm, **config.core_kwargs)
        self.actor_core: RecurrentCore = make_core(self.cell, features_dim, self.hidden_size, **core_args)
        self.critic_core: RecurrentCore | None = None
        self.critic_linear: torch.nn.Module | None = None
        if config.critic_core:
            self.critic_core = make_core(self.cell, features_dim, self.hidden_size, **core_args)
        elif not config.shared_core:
            self.critic_linear = torch.nn.Sequential(torch.nn.Linear(features_dim, self.hidden_size), torch.nn.Tanh())
        self.mlp_extractor = MlpExtractor(
            self.hidden_size, net_arch=self.net_arch, activation_fn=self.activation_fn, device=self.device
        )

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(self.core_config._asdict())
        return data

    # State --------------------------------------------------------------------------------------------------------

    @property
    def cores(self) -> dict[str, RecurrentCore]:
        """The policy's cores by name, in the order their states are stacked."""
        cores = {"actor": self.actor_core}
        if self.critic_core is not None:
            cores["critic"] = self.critic_core
        return cores

    @property
    def state_shape(self) -> tuple[int, int]:
        """(S, H) of the policy state (its batch dimension B sits between them)."""
        return sum(core.state_size for core in self.cores.values()), self.hidden_size

    def initial_state(self, n_envs: int) -> torch.Tensor:
        """Zero memory for ``n_envs`` environments, (S, n_envs, H)."""
        return torch.zeros(self.state_shape[0], n_envs, self.hidden_size, device=self.device)

    def split_state(self, state: torch.Tensor) -> dict[str, torch.Tensor]:
        """The policy state cut into each core's state."""
        sizes = [core.state_size for core in self.cores.values()]
        return dict(zip(self.cores, torch.split(state, sizes, dim=0), strict=True))

    @property
    def action_shape(self) -> tuple[int, ...]:
        """The shape of one action (every action space SB3 supports has one)."""
        shape = self.action_space.shape
        assert shape is not None, f"{self.action_space} has no shape"
        return shape

    # Networks -----------------------------------------------------------------------------------------------------

    def _features(self, obs: PyTorchObs, extractor: BaseFeaturesExtractor, T: int, B: int) -> torch.Tensor:
        """Features of time-major flat observations (T*B, ...) as a (T, B, F) sequence."""
        return BaseModel.extract_features(self, obs, extractor).reshape(T, B, -1)

    def _latents(
        self, obs: PyTorchObs, state: torch.Tensor, episode_starts: torch.Tensor, with_state: bool
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Actor and critic latents (T*B, H) for a (T, B) sequence batch, and the next state if asked for."""
        T, B = episode_starts.shape
        states = self.split_state(state)
        pi_features = self._features(obs, self.pi_features_extractor, T, B)
        vf_features = (
            pi_features if self.share_features_extractor else self._features(obs, self.vf_features_extractor, T, B)
        )
        cores = [(self.actor_core, pi_features, states["actor"])]
        if self.critic_core is not None:
            cores.append((self.critic_core, vf_features, states["critic"]))
        next_state = None
        if with_state:
            latents, new_states = zip(*(core(x, s, episode_starts) for core, x, s in cores), strict=True)
            next_state = torch.cat(new_states, dim=0)
        else:
            # Both cores read the same chunk, so they share its cut into segments.
            segments = split_segments(episode_starts) if inner_resets(episode_starts) else None
            latents = tuple(core.outputs(x, s, episode_starts, segments) for core, x, s in cores)
        latent_pi = latents[0]
        if self.critic_core is not None:
            latent_vf = latents[1]
        elif self.critic_linear is not None:
            latent_vf = self.critic_linear(vf_features)
        else:
            latent_vf = latent_pi
        return latent_pi.reshape(T * B, -1), latent_vf.reshape(T * B, -1), next_state

    def _distribution(self, latent_pi: torch.Tensor, action_masks: MaybeMasks = None) -> Distribution:
        """The action distribution of actor-core outputs (B, H), masked when ``action_masks`` (B, n) is given."""
        latent = self.mlp_extractor.forward_actor(latent_pi)
        if action_masks is None:
            return self._get_action_dist_from_latent(latent)
        return masked_distribution(self.action_space, self.action_net(latent), action_masks)

    def forward(  # type: ignore[override]  # SB3's forward has no memory argument
        self,
        obs: PyTorchObs,
        state: torch.Tensor,
        episode_starts: torch.Tensor,
        deterministic: bool = False,
        action_masks: MaybeMasks = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """One step for B environments: actions, values, log-probabilities and the next state (masks: (B, n))."""
        latent_pi, latent_vf, next_state = self._latents(obs, state, episode_starts.view(1, -1), with_state=True)
        distribution = self._distribution(latent_pi, action_masks)
        actions = distribution.get_actions(deterministic=deterministic)
        values = self.value_net(self.mlp_extractor.forward_critic(latent_vf))
        actions = actions.reshape((-1, *self.action_shape))
        assert next_state is not None
        return actions, values, distribution.log_prob(actions), next_state

    def evaluate_actions(  # type: ignore[override]  # SB3's has no memory: sequences start from a stored state
        self,
        obs: PyTorchObs,
        actions: torch.Tensor,
        state: torch.Tensor,
        episode_starts: torch.Tensor,
        action_masks: MaybeMasks = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Values, log-probabilities and entropy of (T*B) actions taken in a (T, B) batch of sequences.

        ``obs``, ``actions`` and ``action_masks`` are flat and time-major, (T*B, ...). Each core processes the whole
        batch in one fused call; ``state`` is the memory before step 0, (S, B, H).
        """
        latent_pi, latent_vf, _ = self._latents(obs, state, episode_starts, with_state=False)
        distribution = self._distribution(latent_pi, action_masks)
        values = self.value_net(self.mlp_extractor.forward_critic(latent_vf))
        return values, distribution.log_prob(actions), distribution.entropy()

    def get_distribution(  # type: ignore[override]  # SB3's has no memory and returns no next state
        self, obs: PyTorchObs, state: torch.Tensor, episode_starts: torch.Tensor, action_masks: MaybeMasks = None
    ) -> tuple[Distribution, torch.Tensor]:
        """The action distribution for one step of B environments (masked if masks are given), and the next state."""
        latent_pi, _, next_state = self._latents(obs, state, episode_starts.view(1, -1), with_state=True)
        assert next_state is not None
        return self._distribution(latent_pi, action_masks), next_state

    def predict_values(  # type: ignore[override]  # SB3's has no memory argument
        self, obs: PyTorchObs, state: torch.Tensor, episode_starts: torch.Tensor
    ) -> torch.Tensor:
        """Values of one step for B environments, (B, 1)."""
        _, latent_vf, _ = self._latents(obs, state, episode_starts.view(1, -1), with_state=True)
        return self.value_net(self.mlp_extractor.forward_critic(latent_vf))

    def encode(self, obs: PyTorchObs, episode_starts: torch.Tensor, state: torch.Tensor | None = None) -> torch.Tensor:
        """The actor's memory along (T, B) observation sequences: actor-core outputs, (T, B, H).

        ``obs`` is (T, B, ...) (a dict of such for Dict spaces), already a tensor (``obs_to_tensor``). This is what
        the sequence heads reuse (``SequenceClassifier.from_policy``).
        """
        T, B = episode_starts.shape
        obs = (
            {k: v.reshape(T * B, *v.shape[2:]) for k, v in obs.items()}
            if isinstance(obs, dict)
            else obs.reshape(T * B, *obs.shape[2:])
        )
        actor_state = self.actor_core.initial_state(B) if state is None else self.split_state(state)["actor"]
        features = self._features(obs, self.pi_features_extractor, T, B)
        return self.actor_core.outputs(features, actor_state, episode_starts)

    def _predict(  # type: ignore[override]  # SB3's has no memory and returns no next state
        self,
        observation: PyTorchObs,
        state: torch.Tensor,
        episode_starts: torch.Tensor,
        deterministic: bool = False,
        action_masks: MaybeMasks = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        distribution, next_state = self.get_distribution(observation, state, episode_starts, action_masks)
        return distribution.get_actions(deterministic=deterministic), next_state

    def predict(  # type: ignore[override]  # sb3-contrib's contract: np.ndarray state in and out, not SB3's tuple
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: np.ndarray | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
        action_masks: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Actions for one env or a VecEnv's batch, and the memory to pass back in at the next call.

        ``state=None`` starts from zero memory; ``episode_start`` (n_envs,) marks envs that were just reset;
        ``action_masks`` (n_envs, n) restricts the choice to the True entries, as sb3-contrib's ``MaskablePPO`` does.
        """
        self.set_training_mode(False)
        obs_tensor, vectorized_env = self.obs_to_tensor(observation)
        first = next(iter(obs_tensor.values())) if isinstance(obs_tensor, dict) else obs_tensor
        n_envs = first.shape[0]
        if state is None:
            state = self.initial_state(n_envs).cpu().numpy()
            episode_start = np.ones(n_envs)
        expected = (self.state_shape[0], n_envs, self.hidden_size)
        if np.shape(state) != expected:
            raise ValueError(f"state must have shape (S, n_envs, H) = {expected}, got {np.shape(state)}")
        if episode_start is None:
            episode_start = np.zeros(n_envs)
        with torch.no_grad():
            state_tensor = torch.as_tensor(state, dtype=torch.float32, device=self.device)
            starts = torch.as_tensor(np.asarray(episode_start), dtype=torch.float32, device=self.device).view(-1)
            actions, next_state = self._predict(obs_tensor, state_tensor, starts, deterministic, action_masks)
        actions_np = actions.cpu().numpy().reshape((-1, *self.action_shape))
        if isinstance(self.action_space, spaces.Box):
            if self.squash_output:
                actions_np = self.unscale_action(actions_np)
            else:
                actions_np = np.clip(actions_np, self.action_space.low, self.action_space.high)
        if not vectorized_env:
            actions_np = actions_np.squeeze(axis=0)
        return actions_np, next_state.cpu().numpy()


class RecurrentActorCriticCnnPolicy(RecurrentActorCriticPolicy):
    """Image observations through :class:`ImageCNN` (NatureCNN for large images, 3x3 kernels for small ones).

    As in SB3 and sb3-contrib after a NatureCNN, ``net_arch`` defaults to ``[]``: the image features feed the core.
    """

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        lr_schedule: Schedule,
        net_arch: list[int] | dict[str, list[int]] | None = None,
        **kwargs: Any,
    ) -> None:
        extractor = kwargs.setdefault("features_extractor_class", ImageCNN)
        if net_arch is None and extractor in (ImageCNN, NatureCNN):
            net_arch = []
        super().__init__(observation_space, action_space, lr_schedule, net_arch=net_arch, **kwargs)


class RecurrentMultiInputActorCriticPolicy(RecurrentActorCriticPolicy):
    """Dict observations through :class:`MultiInputExtractor`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("features_extractor_class", MultiInputExtractor)
        super().__init__(*args, **kwargs)


POLICY_ALIASES: dict[str, type[RecurrentActorCriticPolicy]] = {}


def _alias(base: type[RecurrentActorCriticPolicy], cell: CellType, name: str) -> type[RecurrentActorCriticPolicy]:
    """A subclass of ``base`` with its cell fixed, registered in ``POLICY_ALIASES`` under ``name``."""
    summary = (base.__doc__ or base.__name__).splitlines()[0]
    policy = type(name, (base,), {"default_cell": cell, "__doc__": f"{summary} Cell: {cell}."})
    POLICY_ALIASES[name] = policy
    return policy


MlpRnnPolicy = _alias(RecurrentActorCriticPolicy, "rnn", "MlpRnnPolicy")
MlpLstmPolicy = _alias(RecurrentActorCriticPolicy, "lstm", "MlpLstmPolicy")
MlpGruPolicy = _alias(RecurrentActorCriticPolicy, "gru", "MlpGruPolicy")
CnnRnnPolicy = _alias(RecurrentActorCriticCnnPolicy, "rnn", "CnnRnnPolicy")
CnnLstmPolicy = _alias(RecurrentActorCriticCnnPolicy, "lstm", "CnnLstmPolicy")
CnnGruPolicy = _alias(RecurrentActorCriticCnnPolicy, "gru", "CnnGruPolicy")
MultiInputRnnPolicy = _alias(RecurrentMultiInputActorCriticPolicy, "rnn", "MultiInputRnnPolicy")
MultiInputLstmPolicy = _alias(RecurrentMultiInputActorCriticPolicy, "lstm", "MultiInputLstmPolicy")
MultiInputGruPolicy = _alias(RecurrentMultiInputActorCriticPolicy, "gru", "MultiInputGruPolicy")
