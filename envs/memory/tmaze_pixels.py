"""The T-maze seen from the inside: a small egocentric RGB image instead of the 4-entry signal.

The agent sees the 3x3 cells around itself, `cell_pixels` pixels a cell (a 12x12x3 uint8 image by default): walls
black, corridor white, the two arms at the junction grey, and itself as a red square in the middle cell. The cell it
stands on shows its floor around that square, so the cue colour (green = up, blue = down) frames the agent at the
start cell only; from any other cell the start cell looks like corridor. Dynamics, rewards, levels, the true state
and the full-maze `render()` are those of `TMazeEnv`.

Memoryless bound: the images after the start depend on the position only, never on the cue, so the best memoryless
policy still guesses at the junction and gets exactly 0.5. The view also shows the junction one step ahead and the
wall behind the start, which tells a memoryless policy where it is, not which way to turn.

Example:
    >>> env = TMazePixelsEnv("easy")
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape, obs.dtype, info["state"]
    ((12, 12, 3), dtype('uint8'), array([0, 1]))
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from envs.memory.base import BLACK, GREY, RED, WHITE, cells_to_rgb, check_int, symbol_colour
from envs.memory.tmaze import TMazeEnv

VIEW_CELLS = 3  # the view is VIEW_CELLS x VIEW_CELLS cells centred on the agent


def view_table(corridor_length: int, cell_pixels: int) -> np.ndarray:
    """Every view the agent can have, indexed by (cue, position): (2, L + 1, 3 * P, 3 * P, 3) uint8."""
    n, side = corridor_length, VIEW_CELLS * cell_pixels
    # The maze as palette cells with a wall border: (3 + 2, L + 1 + 2), the corridor on row 2, position p in column p+1.
    maze = np.full((5, n + 3), BLACK, dtype=np.int64)
    maze[2, 1 : n + 2] = WHITE
    maze[(1, 3), n + 1] = GREY
    table = np.empty((2, n + 1, side, side, 3), dtype=np.uint8)
    inner = slice(side // 2 - cell_pixels // 4, side // 2 + (cell_pixels + 3) // 4)  # agent: half a cell, centred
    for cue in range(2):
        for position in range(n + 1):
            cells = maze[1:4, position : position + VIEW_CELLS].copy()  # (3, 3) around the agent
            if position == 0:
                cells[1, 1] = symbol_colour(cue)
            image = cells_to_rgb(cells, cell_pixels)  # (3P, 3P, 3)
            image[inner, inner] = cells_to_rgb(np.array([[RED]]), 1)[0, 0]
            table[cue, position] = image
    return table


class TMazePixelsEnv(TMazeEnv):
    """T-maze whose observation is the agent's egocentric 3x3-cell view as an RGB image.

    Args:
        level: "easy", "medium" or "hard"; sets the corridor length (6, 24, 96).
        corridor_length: overrides the level's corridor length (>= 1).
        max_episode_steps: truncation limit (>= corridor_length + 1); default 4 * (corridor_length + 1).
        cell_pixels: pixels per cell side (>= 2); the image is (3 * cell_pixels, 3 * cell_pixels, 3).
        render_mode: None or "rgb_array" (the whole maze, cue and goal included: the true state, for GIFs).
    """

    def __init__(
        self,
        level: str = "easy",
        *,
        corridor_length: int | None = None,
        max_episode_steps: int | None = None,
        cell_pixels: int = 4,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(
            level, corridor_length=corridor_length, max_episode_steps=max_episode_steps, render_mode=render_mode
        )
        self.cell_pixels = check_int("cell_pixels", cell_pixels, 2)
        self._views = view_table(self.corridor_length, self.cell_pixels)  # (2, L + 1, H, W, 3)
        self.observation_space = spaces.Box(0, 255, shape=self._views.shape[2:], dtype=np.uint8)

    def _observation(self) -> np.ndarray:
        return self._views[self._cue, self._position].copy()  # (H, W, 3)
