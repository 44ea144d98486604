"""Evaluation: success against the task's optimal return, the solved threshold, space checks, and GIFs."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, ImageSequence

from agents.experiment.builders import make_env, make_model
from agents.experiment.config import resolve_config
from agents.experiment.evaluation import (
    EvalResult,
    ObservedFrames,
    check_compatible,
    evaluate_agent,
    optimal_return,
    record_gif,
    render_fps,
    solved_threshold,
)

TINY = {"n_envs": 2, "n_steps": 16, "batch_size": 16, "hidden_size": 8, "net_arch": [8]}


@pytest.fixture(scope="module")
def tmaze():
    config = resolve_config("pomdp/TMaze-v0", overrides=TINY)
    return config, make_model(config, make_env(config))


def test_thresholds_come_from_the_suite():
    assert optimal_return("pomdp/TMaze-v0") == 1.0
    assert optimal_return("CartPole-v1") is None
    assert solved_threshold("pomdp/TMaze-v0") == pytest.approx(0.95)
    assert solved_threshold("pomdp/CartPoleNoVel-v0") == pytest.approx(475)
    assert solved_threshold("pomdp/PendulumNoVel-v0") is None
    assert solved_threshold("pomdp/PendulumNoVel-v0", threshold=-200.0) == -200.0


def test_summary_and_success_rate():
    result = EvalResult(np.array([1.0, 0.0, 1.0, 1.0]), np.array([8, 9, 8, 8]), np.array([True, False, True, True]))
    assert result.summary() == {
        "episodes": 4,
        "mean_return": 0.75,
        "std_return": pytest.approx(0.4330127),
        "mean_length": 8.25,
        "success_rate": 0.75,
    }
    assert EvalResult(np.zeros(2), np.ones(2), None).success_rate is None


def test_evaluate_agent_counts_successes(tmaze):
    config, model = tmaze
    env = make_env(config, n_envs=2, seed=5, training=False)
    result = evaluate_agent(model, env, config.env, n_episodes=6)
    assert len(result.returns) == 6
    assert set(np.unique(result.returns)) <= {0.0, 1.0}  # the T-maze pays 1 or nothing
    np.testing.assert_array_equal(result.successes, result.returns == 1.0)


def test_other_spaces_are_refused(tmaze):
    config, model = tmaze
    check_compatible(model, config.model_copy(update={"env": "pomdp/TMazeHard-v0"}))  # same spaces, longer maze
    with pytest.raises(ValueError, match="but the model was trained on"):
        check_compatible(model, config.model_copy(update={"env": "pomdp/RepeatFirst-v0"}))


def gif_durations(path):
    with Image.open(path) as gif:  # identical frames are merged, their durations added
        return [frame.info["duration"] for frame in ImageSequence.Iterator(gif)]


def test_gif_of_one_episode(tmaze, tmp_path):
    config, model = tmaze
    frames = record_gif(model, config, tmp_path / "episode.gif", fps=5, observed=False)
    assert frames >= 8  # the corridor of the Easy level alone takes 7 steps
    images = iio.imread(tmp_path / "episode.gif")
    assert images.ndim == 4
    assert images.shape[-1] == 3
    assert sum(gif_durations(tmp_path / "episode.gif")) == pytest.approx(frames * 200)


def test_gif_plays_at_the_envs_frame_rate_and_shows_what_was_observed(tmaze, tmp_path):
    config, model = tmaze
    env = make_env(config, n_envs=1)
    assert render_fps(env) == 4  # the memory tasks' metadata["render_fps"]
    env.close()
    frames = record_gif(model, config, tmp_path / "observed.gif")
    assert sum(gif_durations(tmp_path / "observed.gif")) == pytest.approx(frames * 250)
    images = iio.imread(tmp_path / "observed.gif")
    assert images.shape[1:3] == (256, 640)  # the two panels, not the env's own (48, 112) frame
    cartpole = resolve_config("pomdp/CartPoleNoVel-v0", overrides=TINY)
    cartpole_model = make_model(cartpole, make_env(cartpole))
    with pytest.raises(ValueError, match="not a memory task"):
        record_gif(cartpole_model, cartpole, tmp_path / "c.gif", observed=True)


def test_observed_frames_draw_state_and_observation():
    draw = ObservedFrames(("position", "cue"))
    image = np.zeros((48, 112, 3), dtype=np.uint8)
    first = draw(image, np.array([1.0, 0.0, 0.0, 0.0]), np.array([0, 1]), 0, 0.0)
    second = draw(image, np.array([0.0, 0.0, 1.0, 0.0]), np.array([3, 1]), 3, 0.0)
    draw.close()
    assert first.shape == second.shape == (256, 640, 3)
    assert first.dtype == np.uint8
    assert not np.array_equal(first, second)  # the bars and the legend follow the step
    assert [text.get_text() for text in draw.state_legend.get_texts()] == ["position = 3", "cue = 1"]


def test_image_tasks_pass_the_space_check_and_show_their_image(tmp_path):
    config = resolve_config("pomdp/TMazePixels-v0", overrides={**TINY, "features_dim": 8})
    model = make_model(config, make_env(config))
    assert model.observation_space.shape == (3, 12, 12)  # SB3 put the channels first
    check_compatible(model, config.model_copy(update={"env": "pomdp/TMazePixelsHard-v0"}))
    with pytest.raises(ValueError, match="but the model was trained on"):
        check_compatible(model, config.model_copy(update={"env_kwargs": {"cell_pixels": 2}}))
    draw = ObservedFrames(("position", "cue"))
    view = np.zeros((12, 12, 3), dtype=np.uint8)
    first = draw(np.zeros((48, 112, 3), dtype=np.uint8), view, np.array([0, 1]), 0, 0.0)
    second = draw(np.zeros((48, 112, 3), dtype=np.uint8), view + 255, np.array([1, 1]), 1, 0.0)
    draw.close()
    assert first.shape == second.shape == (256, 640, 3)
    assert not np.array_equal(first, second)  # the image follows the step
    assert record_gif(model, config, tmp_path / "pixels.gif") >= 7


def test_masked_tasks_are_evaluated_with_their_masks_and_memory(monkeypatch):
    """An untrained agent never takes an invalid action (which would end a MaskedRecall episode early) when the
    evaluation passes the masks, and the memory it returns comes back at the next step."""
    config = resolve_config("pomdp/MaskedRecall-v0", overrides=TINY)
    model = make_model(config, make_env(config))
    env = make_env(config, n_envs=4, seed=1, training=False)
    predict, calls = model.predict, []

    def spy(observation, state=None, episode_start=None, deterministic=False, action_masks=None):
        actions, new_state = predict(observation, state, episode_start, deterministic, action_masks)
        calls.append((state, action_masks, new_state))
        return actions, new_state

    monkeypatch.setattr(model, "predict", spy)
    masked = evaluate_agent(model, env, config.env, n_episodes=40, deterministic=False)
    assert set(masked.lengths.tolist()) == {6}
    assert all(masks is not None for _, masks, _ in calls)
    assert all(state is after for (state, _, _), (_, _, after) in zip(calls[1:], calls, strict=False))
    unmasked = evaluate_agent(model, env, config.env, n_episodes=40, deterministic=False, use_masking=False)
    assert unmasked.lengths.min() < 6
    assert masked.returns.mean() > unmasked.returns.mean()
