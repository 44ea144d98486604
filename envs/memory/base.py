"""Shared base of the memory tasks: levels, the true-state API and cell rendering.

Every memory task is a fixed-size, fully seeded `gymnasium.Env` whose hidden state is one vector:

- `state_space` describes it and `state_names` names its entries, so a probe can look a field up by name;
- `get_state()` returns it, and `reset`/`step` also put it into `info["state"]`;
- `optimal_return` and `memoryless_return` are the exact returns of the best policy with and without memory
  for this instance's parameters, so constructor overrides keep their bounds.

Episodes end by themselves after `max_episode_steps` (terminated for fixed-length tasks, truncated for the T-maze),
which keeps the horizon consistent with the constructor arguments; no `TimeLimit` is registered for them.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.memory import stream

LEVEL_NAMES: tuple[str, ...] = ("easy", "medium", "hard")

# Palette indices used by `cells_to_rgb`; symbols start at SYMBOL_COLOUR.
BLACK, WHITE, GREY, RED, SYMBOL_COLOUR = 0, 1, 2, 3, 4
_PALETTE = np.array(
    [
        [0, 0, 0],
        [255, 255, 255],
        [128, 128, 128],
        [220, 40, 40],
        [46, 139, 87],
        [65, 105, 225],
        [255, 165, 0],
        [148, 0, 211],
        [0, 206, 209],
        [255, 215, 0],
        [199, 21, 133],
        [139, 69, 19],
    ],
    dtype=np.uint8,
)


def check_level(level: str) -> str:
    """Return `level` if it names a difficulty level, else raise a `ValueError` listing the allowed ones."""
    if level not in LEVEL_NAMES:
        raise ValueError(f"level must be one of {LEVEL_NAMES}, got {level!r}")
    return level


def check_int(name: str, value: int, low: int, high: float = float("inf")) -> int:
    """Return `value` as an int if `low <= value <= high`, else raise a `ValueError` naming `name` and the range."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        allowed = f">= {low}" if high == float("inf") else f"in [{low}, {int(high)}]"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def symbol_colour(symbol: int) -> int:
    """Palette index of a symbol (colours repeat after 8 symbols)."""
    return SYMBOL_COLOUR + int(symbol) % (len(_PALETTE) - SYMBOL_COLOUR)


def cells_to_rgb(cells: np.ndarray, scale: int = 16) -> np.ndarray:
    """Turn an (H, W) grid of palette indices into an (H * scale, W * scale, 3) uint8 image."""
    image = _PALETTE[cells]  # (H, W) -> (H, W, 3)
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


class MemoryEnv(gym.Env[np.ndarray, Any]):
    """Base of the memory tasks: render-mode check, `info["state"]` and rgb_array rendering from cells.

    Subclasses set `observation_space`, `action_space`, `state_space`, `state_names`, `max_episode_steps`,
    `optimal_return` and `memoryless_return`, and implement `get_state` and `_cells`.
    """

    # Gymnasium declares `metadata` an instance attribute, so mypy refuses a ClassVar here; it is never mutated.
    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 4}  # noqa: RUF012
    state_space: spaces.Space
    state_names: tuple[str, ...]
    max_episode_steps: int
    optimal_return: float = 1.0
    memoryless_return: float

    def __init__(self, render_mode: str | None = None) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.render_mode = render_mode
        self._stream: np.ndarray | None = None  # (1,) uint64 counter of the episode stream, see envs.memory.stream

    def _draw_episode(self, seed: int | None, words: int) -> np.ndarray:
        """The (words,) uint64 random words of a new episode, in one block from the env's SplitMix64 stream.

        `reset(seed=s)` restarts the stream at `mix64(s)`; the first reset without a seed starts it from
        `np_random`. Drawing whole blocks this way is what lets `envs.vector` reproduce env i of a vector env
        reset with seed s + i with array operations.
        """
        if seed is not None:
            self._stream = stream.seed_streams(stream.consecutive_seeds(seed, 1))
        elif self._stream is None:
            self._stream = self.np_random.integers(0, 2**64, size=1, dtype=np.uint64)
        block, self._stream = stream.draw(self._stream, words)
        return block[0]

    def get_state(self) -> np.ndarray:
        """The true hidden state, an element of `state_space` (entries named by `state_names`)."""
        raise NotImplementedError

    def _info(self) -> dict[str, Any]:
        return {"state": self.get_state()}

    def _cells(self) -> np.ndarray:
        """An (H, W) grid of palette indices that draws the current state."""
        raise NotImplementedError

    def render(self) -> np.ndarray | None:
        """An RGB image of the true state when `render_mode="rgb_array"`, else None."""
        if self.render_mode != "rgb_array":
            gym.logger.warn(f"render() needs render_mode='rgb_array' at construction, got {self.render_mode!r}")
            return None
        return cells_to_rgb(self._cells())


def one_hot(index: int, size: int) -> np.ndarray:
    """A float32 one-hot vector; used for every symbol observation so MLP policies can read it."""
    out = np.zeros(size, dtype=np.float32)
    out[index] = 1.0
    return out
