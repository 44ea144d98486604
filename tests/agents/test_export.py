"""export(): ONNX (run by onnxruntime) and TorchScript steps equal the PyTorch policy's predict over 200 steps.

Deterministic actions match exactly (Box means within 1e-5) and the carried memory within 1e-5, for every cell, one
and two layers, Discrete and Box actions, with episode resets inside; also MultiDiscrete, MultiBinary, folded
VecNormalize statistics and an exported action mask.
"""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from sb3_contrib.common.maskable.utils import get_action_masks
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

import envs  # noqa: F401  # registers pomdp/MaskedRecall-v0
from agents import RecurrentPPO, export

ort = pytest.importorskip("onnxruntime", reason="the export extra: pip install '.[export]'")
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")

POLICIES = {"rnn": "MlpRnnPolicy", "lstm": "MlpLstmPolicy", "gru": "MlpGruPolicy"}
N_ENVS = 3  # the graphs are traced with 2 envs: another batch size checks that it is dynamic


class BoxObsEnv(gym.Env):
    """Random Box observations, any action space, episodes of 5 to 15 steps."""

    observation_space = spaces.Box(-2.0, 2.0, (3,), np.float32)

    def __init__(self, action_space: spaces.Space):
        self.action_space = action_space

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.left = int(self.np_random.integers(5, 16))
        return self.np_random.normal(size=3).astype(np.float32), {}

    def step(self, action):
        self.left -= 1
        return self.np_random.normal(size=3).astype(np.float32), 0.0, self.left == 0, False, {}


class Backends:
    """The PyTorch policy, an onnxruntime session and a TorchScript module, each carrying its own memory."""

    def __init__(self, model, tmp_path, **export_kwargs):
        self.model = model
        self.session = ort.InferenceSession(str(export(model, tmp_path / "policy.onnx", **export_kwargs)))
        self.script = torch.jit.load(str(export(model, tmp_path / "policy.pt", format="torchscript", **export_kwargs)))
        S, H = model.policy.state_shape
        self.state = None
        self.onnx_state = self.script_state = np.zeros((S, N_ENVS, H), np.float32)

    def step(self, obs, raw_obs, starts, masks=None):
        """Each backend's action for the same inputs; the states are compared after every step."""
        action, self.state = self.model.predict(obs, self.state, starts, deterministic=True, action_masks=masks)
        feed = {"observation": raw_obs.astype(np.float32), "state": self.onnx_state, "episode_start": starts}
        inputs = [torch.as_tensor(feed["observation"]), torch.as_tensor(self.script_state), torch.as_tensor(starts)]
        if masks is not None:
            feed["action_mask"] = masks
            inputs.append(torch.as_tensor(masks))
        onnx_action, self.onnx_state = self.session.run(["action", "new_state"], feed)[:2]
        with torch.no_grad():
            script_action, script_state = self.script(*inputs)[:2]
        self.script_state = script_state.numpy()
        for state in (self.onnx_state, self.script_state):
            np.testing.assert_allclose(state, self.state, atol=1e-5, rtol=0)
        return action, onnx_action, script_action.numpy()


def drive(model, env, backends, steps=200, normalized=None, masked=False):
    """Step ``env`` with the PyTorch actions; returns how many episode starts fell inside."""
    obs = env.reset()
    starts, resets = np.ones(N_ENVS, np.float32), 0
    for _ in range(steps):
        raw = normalized.get_original_obs() if normalized is not None else obs
        masks = get_action_masks(env) if masked else None
        action, onnx_action, script_action = backends.step(obs, raw, starts, masks)
        for other in (onnx_action, script_action):
            if isinstance(model.action_space, spaces.Box):
                np.testing.assert_allclose(other, action, atol=1e-5, rtol=0)
            else:
                np.testing.assert_array_equal(other, action)
        obs, _, dones, _ = env.step(action)
        starts = dones.astype(np.float32)
        resets += int(dones.sum())
    return resets


@pytest.mark.parametrize("action_space", ["discrete", "box"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", list(POLICIES))
def test_onnx_and_torchscript_match_pytorch(cell, num_layers, action_space, tmp_path):
    env_id, limit = ("CartPole-v1", 500) if action_space == "discrete" else ("Pendulum-v1", 25)
    env = make_vec_env(env_id, n_envs=N_ENVS, seed=0, env_kwargs={"max_episode_steps": limit})
    model = RecurrentPPO(POLICIES[cell], env, n_steps=8, batch_size=8, policy_kwargs=dict(hidden_size=16,
                         num_layers=num_layers, net_arch=[16]), seed=0)  # fmt: skip
    assert drive(model, env, Backends(model, tmp_path)) > 5


@pytest.mark.parametrize("space", [spaces.MultiDiscrete([3, 4]), spaces.MultiBinary(3)], ids=lambda s: type(s).__name__)
def test_multi_discrete_and_multi_binary(space, tmp_path):
    env = DummyVecEnv([lambda: BoxObsEnv(space)] * N_ENVS)
    env.seed(0)
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=8, batch_size=8, policy_kwargs={"hidden_size": 16}, seed=0)
    assert drive(model, env, Backends(model, tmp_path)) > 5


def test_vec_normalize_folded_in(tmp_path):
    """The graph takes raw observations; the policy reads VecNormalize's normalised ones."""
    env = VecNormalize(make_vec_env("Pendulum-v1", n_envs=N_ENVS, seed=0, env_kwargs={"max_episode_steps": 25}))
    model = RecurrentPPO("MlpLstmPolicy", env, n_steps=32, batch_size=32, n_epochs=1,
                         policy_kwargs=dict(hidden_size=16, shared_core=True), seed=0)  # fmt: skip
    model.learn(96)  # statistics far from (0, 1)
    env.training = False
    assert np.abs(env.obs_rms.mean).max() > 0.05
    assert drive(model, env, Backends(model, tmp_path, normalize=env), normalized=env) > 5


def test_exported_action_mask(tmp_path):
    env = make_vec_env("pomdp/MaskedRecall-v0", n_envs=N_ENVS, seed=0)
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=8, batch_size=8, policy_kwargs={"hidden_size": 16}, seed=0)
    assert drive(model, env, Backends(model, tmp_path, action_masks=True), masked=True) > 5


def test_outputs_name_the_distribution(tmp_path):
    model = RecurrentPPO("MlpGruPolicy", "Pendulum-v1", n_steps=8, batch_size=8, policy_kwargs={"hidden_size": 8})
    session = ort.InferenceSession(str(export(model, tmp_path / "box.onnx")))
    assert [o.name for o in session.get_outputs()] == ["action", "new_state", "value", "mean", "log_std"]
    assert [i.name for i in session.get_inputs()] == ["observation", "state", "episode_start"]
    _, _, _, mean, log_std = session.run(None, {"observation": np.zeros((1, 3), np.float32),
        "state": np.zeros((2, 1, 8), np.float32), "episode_start": np.ones(1, np.float32)})  # fmt: skip
    np.testing.assert_allclose(log_std, model.policy.log_std.detach().numpy()[None], atol=1e-6)
    assert mean.shape == (1, 1)


def test_bad_arguments(tmp_path):
    model = RecurrentPPO("MlpGruPolicy", "CartPole-v1", n_steps=8, batch_size=8, policy_kwargs={"hidden_size": 8})
    with pytest.raises(ValueError, match=r"format must be one of \('onnx', 'torchscript'\), got 'tflite'"):
        export(model, tmp_path / "x", format="tflite")
    with pytest.raises(TypeError, match=r"export needs a RecurrentPPO or a RecurrentActorCriticPolicy, got str"):
        export("model", tmp_path / "x")
    box = RecurrentPPO("MlpGruPolicy", "Pendulum-v1", n_steps=8, batch_size=8, policy_kwargs={"hidden_size": 8})
    with pytest.raises(ValueError, match=r"action_masks=True needs a Discrete, MultiDiscrete or MultiBinary space"):
        export(box, tmp_path / "x", action_masks=True)
