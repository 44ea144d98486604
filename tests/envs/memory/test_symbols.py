"""SymbolStreamEnv, checked on each of its tasks and levels: the seeded one-hot stream, the episode's end, replay,
the action check, level parameters and their overrides, and the bounds every task promises."""

import inspect

import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence

from envs.memory.count_recall import CountRecallEnv
from envs.memory.repeat_first import RepeatFirstEnv
from envs.memory.repeat_previous import RepeatPreviousEnv
from tests.envs.memory.symbol_tasks import TASK_LEVELS, TASKS, play, random_actions, symbol_stream


@pytest.mark.parametrize(("task", "level"), TASK_LEVELS)
def test_shows_the_seeded_stream_one_hot_then_zeros(task, level):
    env = task.env_class(level)
    n, steps = env.n_symbols, env.max_episode_steps
    for seed in (0, 1):
        episode = play(env, seed, random_actions(env, seed))
        assert episode.observations.dtype == np.float32
        assert episode.observations.shape == (steps + 1, n + env.n_flags)
        symbols = symbol_stream(seed, n, steps)
        np.testing.assert_array_equal(episode.observations[:steps, :n], np.eye(n)[symbols])
        assert not episode.observations[steps].any()  # after the last action


@pytest.mark.parametrize(("task", "level"), TASK_LEVELS)
def test_terminates_after_max_episode_steps_and_never_truncates(task, level):
    env = task.env_class(level)
    episode = play(env, 0, random_actions(env, 0))
    assert episode.terminated == [False] * (env.max_episode_steps - 1) + [True]
    assert not any(episode.truncated)
    assert all(type(reward) is float for reward in episode.rewards)


@pytest.mark.parametrize(("task", "level"), TASK_LEVELS)
def test_seeded_replay_gives_the_same_trajectory_twice(task, level):
    env = task.env_class(level)
    actions = random_actions(env, 3)
    first, again = play(env, 3, actions), play(env, 3, actions)
    assert data_equivalence(first, again, exact=True)
    assert not all(np.array_equal(first.observations, play(env, seed, actions).observations) for seed in (4, 5))


@pytest.mark.parametrize(("task", "level"), TASK_LEVELS)
def test_states_stay_in_the_state_space_and_match_get_state(task, level):
    env = task.env_class(level)
    assert len(env.state_names) == env.state_space.shape[0]
    assert env.get_state() in env.state_space  # before the first reset too
    episode = play(env, 1, random_actions(env, 1))
    assert all(state in env.state_space for state in episode.states)
    np.testing.assert_array_equal(episode.states[-1], env.get_state())


@pytest.mark.parametrize("task", TASKS.values(), ids=TASKS)
def test_invalid_action_raises(task):
    env = task.env_class()
    env.reset(seed=0)
    n = int(env.action_space.n)
    for action in (-1, n):
        with pytest.raises(ValueError, match=rf"action must be in Discrete\({n}\), got {action}"):
            env.step(action)


@pytest.mark.parametrize(("task", "level"), TASK_LEVELS)
def test_level_parameters_and_overrides(task, level):
    parameters = task.env_class.levels[level]._asdict()
    env = task.env_class(level)
    assert env.level == level
    assert {name: getattr(env, name) for name in parameters} == parameters
    for name, value in parameters.items():
        overridden = task.env_class(level, **{name: value + 1})
        assert {k: getattr(overridden, k) for k in parameters} == {**parameters, name: value + 1}
        defaulted = task.env_class(level, **{name: None})  # None: the level's value
        assert {k: getattr(defaulted, k) for k in parameters} == parameters


@pytest.mark.parametrize("task", TASKS.values(), ids=TASKS)
def test_signature_names_every_level_parameter(task):
    parameters = inspect.signature(task.env_class).parameters
    fields = list(task.env_class.levels["easy"]._asdict())
    assert list(parameters) == ["level", *fields, "render_mode"]
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in [*fields, "render_mode"])


@pytest.mark.parametrize(
    ("env_class", "kwargs", "message"),
    [
        (RepeatPreviousEnv, {"k": 0}, r"k must be an integer >= 1, got 0"),
        (RepeatPreviousEnv, {"n_symbols": 1}, r"n_symbols must be an integer >= 2, got 1"),
        (RepeatPreviousEnv, {"k": 4, "length": 4}, r"length must be an integer >= 5, got 4"),
        (RepeatPreviousEnv, {"level": "Easy"}, r"level must be one of \('easy', 'medium', 'hard'\), got 'Easy'"),
        (RepeatFirstEnv, {"n_symbols": 0}, r"n_symbols must be an integer >= 2, got 0"),
        (RepeatFirstEnv, {"length": 1}, r"length must be an integer >= 2, got 1"),
        (RepeatFirstEnv, {"length": 2.0}, r"length must be an integer >= 2, got 2.0"),
        (RepeatFirstEnv, {"level": None}, r"level must be one of \('easy', 'medium', 'hard'\), got None"),
        (CountRecallEnv, {"n_symbols": 1}, r"n_symbols must be an integer >= 2, got 1"),
        (CountRecallEnv, {"stream_length": 0}, r"stream_length must be an integer >= 1, got 0"),
        (CountRecallEnv, {"n_queries": -1}, r"n_queries must be an integer >= 1, got -1"),
        (CountRecallEnv, {"n_queries": True}, r"n_queries must be an integer >= 1, got True"),
    ],
)
def test_bad_arguments(env_class, kwargs, message):
    with pytest.raises(ValueError, match=message):
        env_class(**kwargs)


@pytest.mark.parametrize(
    ("env_class", "keyword"), [(RepeatFirstEnv, "k"), (CountRecallEnv, "length"), (RepeatPreviousEnv, "n_queries")]
)
def test_unknown_keyword_is_a_type_error_naming_it(env_class, keyword):
    message = rf"{env_class.__name__}.__init__\(\) got an unexpected keyword argument '{keyword}'"
    with pytest.raises(TypeError, match=message):
        env_class(level="no such level", render_mode="human", **{keyword: 1})  # checked before anything else


@pytest.mark.parametrize(("task", "level"), TASK_LEVELS)
def test_oracle_reaches_optimal_return(task, level, mean_return):
    env = task.env_class(level)
    assert mean_return(env, task.oracle, task.n_oracle_episodes) == pytest.approx(env.optimal_return) == 1.0


@pytest.mark.parametrize(
    ("task", "level"), [param for param in TASK_LEVELS if param.values[1] in param.values[0].memoryless_levels]
)
def test_memoryless_policy_attains_the_bound(task, level, mean_return):
    env = task.env_class(level)
    value = mean_return(env, task.memoryless(env), task.n_memoryless_episodes)
    assert value <= env.memoryless_return + task.tolerance
    assert value == pytest.approx(env.memoryless_return, abs=task.tolerance)
