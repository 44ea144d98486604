"""The memory tasks' shared base: argument checks, the palette and rendering, the render-mode check, one-hot."""

import numpy as np
import pytest

from envs.memory.base import (
    BLACK,
    GREY,
    LEVEL_NAMES,
    RED,
    SYMBOL_COLOUR,
    WHITE,
    MemoryEnv,
    cells_to_rgb,
    check_int,
    check_level,
    one_hot,
    symbol_colour,
)


class TwoCellEnv(MemoryEnv):
    """The least a task defines to render: a state and the cells that draw it."""

    def get_state(self) -> np.ndarray:
        return np.array([0], dtype=np.int64)

    def _cells(self) -> np.ndarray:
        return np.array([[RED, symbol_colour(1)]])


@pytest.mark.parametrize("level", LEVEL_NAMES)
def test_check_level_returns_a_known_level(level):
    assert check_level(level) == level


@pytest.mark.parametrize("level", ["Easy", "extreme", None, 0])
def test_check_level_lists_the_levels(level):
    with pytest.raises(ValueError, match=rf"level must be one of \('easy', 'medium', 'hard'\), got {level!r}"):
        check_level(level)


def test_check_int_accepts_integers_in_range():
    assert check_int("n", 3, 1) == 3
    assert type(check_int("n", np.int64(5), 5, 5)) is int
    assert check_int("n", 10**9, 0) == 10**9  # unbounded above by default


@pytest.mark.parametrize(
    ("value", "high", "message"),
    [
        (0, float("inf"), r"n must be an integer >= 1, got 0"),
        (2.0, float("inf"), r"n must be an integer >= 1, got 2.0"),
        (True, float("inf"), r"n must be an integer >= 1, got True"),
        ("3", float("inf"), r"n must be an integer >= 1, got '3'"),
        (5, 4, r"n must be an integer in \[1, 4\], got 5"),
    ],
)
def test_check_int_names_the_value_and_range(value, high, message):
    with pytest.raises(ValueError, match=message):
        check_int("n", value, 1, high)


def test_one_hot():
    vector = one_hot(2, 4)
    assert vector.dtype == np.float32
    assert vector.tolist() == [0.0, 0.0, 1.0, 0.0]


def test_symbol_colours_follow_the_fixed_colours_and_repeat_after_eight():
    assert len({BLACK, WHITE, GREY, RED}) == 4
    assert symbol_colour(0) == SYMBOL_COLOUR
    assert symbol_colour(8) == symbol_colour(0) != symbol_colour(7)


def test_cells_to_rgb_scales_each_cell_to_a_block():
    image = cells_to_rgb(np.array([[BLACK, WHITE], [GREY, RED]]), scale=3)
    assert image.shape == (6, 6, 3)
    assert image.dtype == np.uint8
    assert image[0, 0].tolist() == [0, 0, 0]
    assert image[2, 5].tolist() == [255, 255, 255]
    assert image[5, 0].tolist() == [128, 128, 128]
    assert (image[3:, 3:] == image[3, 3]).all()
    assert image[3, 3].tolist() != image[0, 0].tolist()


def test_renders_rgb_array_from_cells():
    frame = TwoCellEnv(render_mode="rgb_array").render()
    assert frame is not None
    assert frame.shape == (16, 32, 3)
    np.testing.assert_array_equal(frame[:, 16:], cells_to_rgb(np.array([[symbol_colour(1)]])))


def test_render_without_rgb_array_mode_warns_and_returns_none():
    with pytest.warns(UserWarning, match=r"render\(\) needs render_mode='rgb_array' at construction, got None"):
        assert TwoCellEnv().render() is None


@pytest.mark.parametrize("render_mode", ["human", "ansi", ""])
def test_render_mode_must_be_none_or_rgb_array(render_mode):
    with pytest.raises(ValueError, match=rf"render_mode must be None or one of \['rgb_array'\], got {render_mode!r}"):
        TwoCellEnv(render_mode=render_mode)


def test_info_carries_the_state():
    np.testing.assert_array_equal(TwoCellEnv()._info()["state"], [0])
