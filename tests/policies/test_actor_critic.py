"""Recurrent actor-critic policies: state layout, sb3-contrib's names and defaults, predict's state contract, encode."""

from collections import Counter

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from sb3_contrib.ppo_recurrent import policies as sb3_contrib_policies
from stable_baselines3.common.env_util import make_vec_env

from policies.actor_critic import (
    CnnLstmPolicy,
    MlpGruPolicy,
    MlpLstmPolicy,
    MultiInputGruPolicy,
    MultiInputLstmPolicy,
    PolicyConfigError,
    RecurrentActorCriticPolicy,
)
from policies.cores import CELLS

BOX = spaces.Box(-1.0, 1.0, (3,), np.float32)
DISCRETE = spaces.Discrete(2)
TINY = dict(hidden_size=8, net_arch=[8])


def lr_schedule(_: float) -> float:
    return 3e-4


def make_policy(observation_space=BOX, action_space=DISCRETE, policy=RecurrentActorCriticPolicy, **kwargs):
    return policy(observation_space, action_space, lr_schedule, **kwargs)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(
    ("critic", "n_cores", "has_linear"),
    [({}, 2, False), ({"shared_core": True}, 1, False), ({"critic_core": False}, 1, True)],
)
def test_state_layout(cell, critic, n_cores, has_linear):
    """(S, B, H): the actor core's state over the critic core's, S = layers (x2 for LSTM's c) per core."""
    policy = make_policy(cell=cell, num_layers=2, **TINY, **critic)
    per_core = 2 * (2 if cell == "lstm" else 1)
    assert policy.state_shape == (n_cores * per_core, 8)
    assert policy.initial_state(5).shape == (n_cores * per_core, 5, 8)
    assert list(policy.cores) == ["actor", "critic"][:n_cores]
    assert (policy.critic_linear is not None) == has_linear
    obs, starts = torch.randn(5, 3), torch.ones(5)
    _, _, _, next_state = policy(obs, policy.initial_state(5), starts)
    assert next_state.shape == policy.initial_state(5).shape


@pytest.mark.parametrize("cell", CELLS)
def test_split_state_round_trip(cell):
    policy = make_policy(cell=cell, num_layers=2, **TINY)
    state = torch.randn(*policy.initial_state(4).shape)
    parts = policy.split_state(state)
    assert [p.shape[0] for p in parts.values()] == [core.state_size for core in policy.cores.values()]
    torch.testing.assert_close(torch.cat(list(parts.values())), state)
    # Each core's part is the state that core steps from.
    obs, starts = torch.randn(4, 3), torch.zeros(4)
    _, _, _, next_state = policy(obs, state, starts)
    features = policy.extract_features(obs, policy.pi_features_extractor).unsqueeze(0)
    _, actor_next = policy.actor_core(features, parts["actor"], starts.view(1, -1))
    torch.testing.assert_close(policy.split_state(next_state)["actor"], actor_next)


def test_sb3_contrib_names_map_onto_ours():
    policy = make_policy(
        policy=MlpLstmPolicy,
        lstm_hidden_size=6,
        n_lstm_layers=2,
        enable_critic_lstm=False,
        lstm_kwargs={"dropout": 0.25},
        net_arch=[4],
    )
    config = policy.core_config
    assert (config.hidden_size, config.num_layers, config.critic_core, config.shared_core) == (6, 2, False, False)
    assert config.core_kwargs == {"dropout": 0.25}
    assert policy.actor_core.rnn.dropout == 0.25
    assert policy.critic_core is None
    shared = make_policy(policy=MlpLstmPolicy, shared_lstm=True, enable_critic_lstm=False, **TINY)
    assert shared.core_config.shared_core
    assert list(shared.cores) == ["actor"]
    assert shared.critic_linear is None


def test_policy_config_error_is_a_value_error_and_an_assertion_error():
    """sb3-contrib asserts these checks; our users expect ValueError: PolicyConfigError is both."""
    assert issubclass(PolicyConfigError, ValueError)
    assert issubclass(PolicyConfigError, AssertionError)
    with pytest.raises(AssertionError):
        make_policy(policy=MlpLstmPolicy, shared_lstm=True, enable_critic_lstm=True)
    with pytest.raises(AssertionError):
        make_policy(policy=MlpLstmPolicy, shared_lstm=True, enable_critic_lstm=False, share_features_extractor=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shared_lstm": True, "enable_critic_lstm": True}, "shared_core=True and critic_core=True conflict"),
        ({"shared_core": True, "critic_core": True}, "shared_core=True and critic_core=True conflict"),
        ({"shared_core": True, "share_features_extractor": False}, "shared_core=True needs share_features_extractor"),
        ({"lstm_hidden_size": 8, "hidden_size": 8}, "Give either 'lstm_hidden_size' .* or 'hidden_size', not both"),
        ({"enable_critic_lstm": False, "critic_core": False}, "Give either 'enable_critic_lstm'"),
        ({"cell": "gru", "lstm_kwargs": {"dropout": 0.1}}, "'lstm_kwargs' configures an LSTM core, .* cell is 'gru'"),
    ],
)
def test_conflicting_policy_kwargs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_policy(**kwargs)


def test_unknown_cell_and_conflicting_cell():
    with pytest.raises(ValueError, match="Unknown cell type 'mamba'"):
        make_policy(policy=MlpGruPolicy, cell="mamba")
    with pytest.raises(ValueError, match="MlpGruPolicy has cell 'gru', got cell='lstm'"):
        make_policy(policy=MlpGruPolicy, cell="lstm")
    with pytest.raises(PolicyConfigError):
        make_policy(policy=MlpGruPolicy, cell="mamba")


def parameter_shapes(policy: torch.nn.Module) -> Counter:
    return Counter(tuple(p.shape) for p in policy.parameters())


@pytest.mark.parametrize(
    ("ours", "theirs", "observation_space"),
    [
        (MlpLstmPolicy, sb3_contrib_policies.MlpLstmPolicy, BOX),
        (CnnLstmPolicy, sb3_contrib_policies.CnnLstmPolicy, spaces.Box(0, 255, (3, 40, 40), np.uint8)),
        (
            MultiInputLstmPolicy,
            sb3_contrib_policies.MultiInputLstmPolicy,
            spaces.Dict({"a": BOX, "b": spaces.Discrete(4)}),
        ),
    ],
)
@pytest.mark.parametrize("action_space", [DISCRETE, spaces.Box(-1.0, 1.0, (2,), np.float32)])
@pytest.mark.parametrize(
    "kwargs", [{}, {"enable_critic_lstm": False}, {"shared_lstm": True, "enable_critic_lstm": False}]
)
def test_default_sizes_equal_sb3_contribs(ours, theirs, observation_space, action_space, kwargs):
    """The same policy_kwargs build networks of the same sizes as sb3-contrib's (names differ, shapes do not)."""
    mine = make_policy(observation_space, action_space, policy=ours, **kwargs)
    reference = theirs(observation_space, action_space, lr_schedule, **kwargs)
    assert parameter_shapes(mine) == parameter_shapes(reference)
    assert mine.hidden_size == reference.lstm_actor.hidden_size == 256
    assert mine.actor_core.num_layers == reference.lstm_actor.num_layers == 1


def test_predict_single_env_and_vec_env_carries_state():
    env = gym.make("CartPole-v1")
    policy = make_policy(env.observation_space, env.action_space, policy=MlpGruPolicy, **TINY)
    obs, _ = env.reset(seed=0)
    action, state = policy.predict(obs)
    assert env.action_space.contains(int(action))
    assert state.shape == (2, 1, 8)  # actor and critic GRU states
    _, state2 = policy.predict(obs, state=state, episode_start=np.zeros(1))
    assert not np.allclose(state, state2)

    vec_env = make_vec_env("CartPole-v1", n_envs=3, seed=0)
    obs = vec_env.reset()
    actions, state = policy.predict(obs, deterministic=True)
    assert actions.shape == (3,)
    assert state.shape == (2, 3, 8)
    # Each env's memory depends only on its own history: predicting env 1 alone gives the same state.
    _, alone = policy.predict(obs[1:2], deterministic=True)
    np.testing.assert_allclose(alone[:, 0], state[:, 1], atol=1e-6)
    with pytest.raises(ValueError, match=r"state must have shape \(S, n_envs, H\) = \(2, 3, 8\)"):
        policy.predict(obs, state=np.zeros((2, 1, 8)))


def test_predict_episode_start_forgets_the_state():
    """state=None is zero memory; episode_start=1 discards whatever state is passed in."""
    policy = make_policy(policy=MlpLstmPolicy, **TINY)
    obs = np.random.default_rng(0).uniform(-1, 1, (2, 3)).astype(np.float32)
    _, fresh = policy.predict(obs)
    _, zero = policy.predict(obs, state=np.zeros_like(fresh), episode_start=np.zeros(2))
    _, reset = policy.predict(obs, state=np.full_like(fresh, 0.7), episode_start=np.ones(2))
    _, carried = policy.predict(obs, state=np.full_like(fresh, 0.7), episode_start=np.zeros(2))
    np.testing.assert_allclose(fresh, zero, atol=1e-6)
    np.testing.assert_allclose(fresh, reset, atol=1e-6)
    assert not np.allclose(fresh, carried, atol=1e-3)


def action_logits(policy, observations: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    """Step a policy along (T, B, F) observations, carrying its state; the action logits at every step, (T, B, A)."""
    state, logits = policy.initial_state(observations.shape[1]), []
    with torch.no_grad():
        for obs, start in zip(observations, starts, strict=True):
            distribution, state = policy.get_distribution(obs, state, start)
            logits.append(distribution.distribution.logits)
    return torch.stack(logits)


def test_actions_depend_on_an_observation_k_steps_back():
    """Two sequences that differ only at step 0: different logits at step k with memory, equal after a reset."""
    torch.manual_seed(0)
    policy = make_policy(policy=MlpGruPolicy, **TINY)
    torch.nn.init.normal_(policy.action_net.weight)  # SB3 starts it at gain 0.01, which hides differences in logits
    k = 4
    observations = torch.zeros(k + 1, 2, 3)
    observations[0, 0], observations[0, 1] = 1.0, -1.0  # column 0 and column 1 differ only at t = 0
    starts = torch.zeros(k + 1, 2)
    starts[0] = 1
    carried = action_logits(policy, observations, starts)
    assert (carried[k, 0] - carried[k, 1]).abs().max() > 1e-3
    starts[k] = 1
    reset = action_logits(policy, observations, starts)
    torch.testing.assert_close(reset[k, 0], reset[k, 1], atol=1e-6, rtol=0)
    torch.testing.assert_close(reset[:k], carried[:k])


def test_multidiscrete_observations_are_one_hot_inputs():
    """sb3-contrib fails here under torch 2.13 ('input_size should be of type int, got: int64')."""
    observation_space = spaces.MultiDiscrete([3, 4])
    policy = make_policy(observation_space, policy=MlpLstmPolicy, **TINY)
    assert type(policy.actor_core.input_size) is int
    assert policy.actor_core.input_size == 7  # one-hot of each component
    actions, state = policy.predict(np.array([[0, 3], [2, 1]]))
    assert actions.shape == (2,)
    assert state.shape == policy.initial_state(2).shape


@pytest.mark.parametrize("cell", CELLS)
def test_encode_gives_the_actor_core_outputs_along_a_sequence(cell):
    """encode((T, B) observations) equals the actor core's outputs when the policy steps through them."""
    torch.manual_seed(0)
    policy = make_policy(cell=cell, **TINY)
    T, B = 6, 2
    observations = torch.randn(T, B, 3)
    starts = torch.zeros(T, B)
    starts[0], starts[3, 1] = 1, 1
    encoded = policy.encode(observations, starts)
    assert encoded.shape == (T, B, 8)
    state, hidden = policy.initial_state(B), []
    with torch.no_grad():
        for t in range(T):
            _, state = policy.get_distribution(observations[t], state, starts[t])
            hidden.append(policy.actor_core.hidden(policy.split_state(state)["actor"])[-1])  # top layer's h
    torch.testing.assert_close(encoded.detach(), torch.stack(hidden), atol=1e-5, rtol=0)


def test_encode_dict_observations():
    observation_space = spaces.Dict({"vec": BOX, "tag": spaces.Discrete(3)})
    policy = make_policy(observation_space, policy=MultiInputGruPolicy, **TINY)
    T, B = 4, 3
    observations = {"vec": torch.randn(T, B, 3), "tag": torch.randint(0, 3, (T, B)).float()}
    encoded = policy.encode(observations, torch.zeros(T, B))
    assert encoded.shape == (T, B, 8)
    # Memory: the last output depends on the first observation.
    changed = {"vec": observations["vec"].clone(), "tag": observations["tag"]}
    changed["vec"][0] += 1.0
    assert not torch.allclose(policy.encode(changed, torch.zeros(T, B))[-1], encoded[-1])
