"""Pixel T-maze: the cue shows at the start only, the T-maze's dynamics and bounds, checkers, a CnnGruPolicy run."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.env_util import make_vec_env

import envs
from envs.memory.base import GREY, cells_to_rgb, symbol_colour
from envs.memory.tmaze import DOWN, FORWARD, UP, TMazeEnv
from envs.memory.tmaze_pixels import TMazePixelsEnv, view_table

CUE_COLOURS = [cells_to_rgb(np.array([[symbol_colour(cue)]]), 1)[0, 0] for cue in range(2)]  # (3,) uint8 each


def cue_pixels(image: np.ndarray) -> int:
    """How many pixels of an (H, W, 3) image have either cue colour."""
    return int(sum(np.all(image == colour, axis=-1).sum() for colour in CUE_COLOURS))


def at_junction(image: np.ndarray) -> bool:
    """The arms show above and below the agent: the top-middle cell is grey."""
    p = image.shape[0] // 3
    return bool(np.all(image[0, p] == cells_to_rgb(np.array([[GREY]]), 1)[0, 0]))


def memoryless(obs: np.ndarray, state: np.ndarray) -> int:
    """Walk forward, always turn up: reads only the image."""
    return UP if at_junction(obs) else FORWARD


def oracle(obs: np.ndarray, state: np.ndarray) -> int:
    return UP + int(state[1]) if at_junction(obs) else FORWARD


def test_image_shape_and_space():
    env = TMazePixelsEnv()
    obs, _ = env.reset(seed=0)
    assert env.observation_space == gym.spaces.Box(0, 255, (12, 12, 3), np.uint8)
    assert obs in env.observation_space
    assert TMazePixelsEnv(cell_pixels=2).reset(seed=0)[0].shape == (6, 6, 3)


@pytest.mark.parametrize("corridor_length", [1, 2, 6])
def test_cue_shows_at_the_start_cell_only(corridor_length):
    views = view_table(corridor_length, 4)  # (2, L + 1, 12, 12, 3)
    assert not np.array_equal(views[0, 0], views[1, 0])
    assert cue_pixels(views[0, 0]) == cue_pixels(views[1, 0]) > 0
    np.testing.assert_array_equal(views[0, 1:], views[1, 1:])  # after the start the cue changes nothing
    assert all(cue_pixels(view) == 0 for view in views[:, 1:].reshape(-1, 12, 12, 3))
    assert [at_junction(view) for view in views[0]] == [False] * corridor_length + [True]


def test_steps_show_what_the_table_holds():
    env = TMazePixelsEnv(corridor_length=3)
    obs, info = env.reset(seed=4)
    cue = int(info["state"][1])
    assert cue_pixels(obs) > 0
    for position in range(1, 4):
        obs, *_ = env.step(FORWARD)
        np.testing.assert_array_equal(obs, env._views[cue, position])
    obs[:] = 0  # a fresh array each step: the table is not handed out
    assert env._views[cue, 3].any()


def test_dynamics_and_states_are_the_tmaze_s():
    pixels, plain = TMazePixelsEnv(), TMazeEnv()
    rng = np.random.default_rng(0)
    for seed in range(5):
        pixels.reset(seed=seed)
        plain.reset(seed=seed)
        for action in rng.integers(0, 3, size=40):
            step_p, step_t = pixels.step(int(action)), plain.step(int(action))
            assert step_p[1:4] == step_t[1:4]
            np.testing.assert_array_equal(step_p[4]["state"], step_t[4]["state"])
            if step_p[2] or step_p[3]:
                break


def test_oracle_solves_and_memoryless_gets_half(mean_return):
    env = TMazePixelsEnv()
    assert mean_return(env, oracle, 20) == env.optimal_return == 1.0
    assert env.memoryless_return == 0.5
    assert mean_return(env, memoryless, 1000) == pytest.approx(0.5, abs=0.06)  # 4 standard errors


def test_render_is_the_whole_maze():
    env, plain = TMazePixelsEnv(render_mode="rgb_array"), TMazeEnv(render_mode="rgb_array")
    env.reset(seed=2)
    plain.reset(seed=2)
    np.testing.assert_array_equal(env.render(), plain.render())


def test_passes_gymnasium_and_sb3_checkers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # SB3 warns about images under 36x36 for its NatureCNN; our Cnn*Policy's ImageCNN takes them.
        warnings.filterwarnings("ignore", message="The minimal resolution for an image is 36x36")
        gym_check_env(TMazePixelsEnv(), skip_render_check=True)
        sb3_check_env(TMazePixelsEnv(), warn=True)


def test_registered_with_levels():
    info = envs.SUITE["pomdp/TMazePixelsHard-v0"]
    assert (info.level, info.max_episode_steps, info.memoryless_return) == ("hard", 388, 0.5)
    assert info.vector_entry_point == "envs.vector.tmaze_pixels:TMazePixelsVectorEnv"
    env = gym.make("pomdp/TMazePixels-v0", cell_pixels=3)
    assert env.observation_space.shape == (9, 9, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell_pixels": 1}, r"cell_pixels must be an integer >= 2, got 1"),
        ({"cell_pixels": 4.0}, r"cell_pixels must be an integer >= 2, got 4.0"),
        ({"corridor_length": 0}, r"corridor_length must be an integer >= 1, got 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TMazePixelsEnv(**kwargs)


def test_cnn_gru_policy_trains_and_acts_on_it():
    torch = pytest.importorskip("torch")
    from agents import RecurrentPPO

    torch.set_num_threads(1)
    env = make_vec_env("pomdp/TMazePixels-v0", n_envs=2, seed=0)
    model = RecurrentPPO(
        "CnnGruPolicy",
        env,
        n_steps=16,
        batch_size=32,
        n_epochs=1,
        policy_kwargs={"hidden_size": 8, "features_extractor_kwargs": {"features_dim": 16}},
        seed=0,
        device="cpu",
    )
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(64)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.policy.parameters(), strict=True))
    assert model.policy.features_extractor.features_dim == 16
    obs = env.reset()  # (2, 12, 12, 3)
    actions, state = model.predict(obs, episode_start=np.ones(2, dtype=bool))
    assert actions.shape == (2,)
    assert set(actions.tolist()) <= {FORWARD, UP, DOWN}
    assert state.shape == (2, 2, 8)  # (S, B, H): actor and critic GRU states of 2 envs


@pytest.mark.slow
def test_preset_solves_easy(tmp_path):
    """The shipped preset, seed 0: above the 0.95 threshold at the end (about 2 minutes of CPU)."""
    pytest.importorskip("torch").set_num_threads(1)
    from agents.experiment.config import resolve_config
    from agents.experiment.training import run_training

    result = run_training(resolve_config("pomdp/TMazePixels-v0", overrides={"seed": 0}), tmp_path / "run")
    assert result.steps >= 30_000
    assert result.final is not None
    assert result.final["mean_return"] >= 0.95
