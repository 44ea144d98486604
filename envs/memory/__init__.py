"""The memory tasks: one task per file on a shared base, each with Easy/Medium/Hard levels and exact bounds."""

from envs.memory.count_recall import CountRecallEnv
from envs.memory.masked_recall import MaskedRecallEnv
from envs.memory.point_recall import PointRecallEnv
from envs.memory.repeat_first import RepeatFirstEnv
from envs.memory.repeat_previous import RepeatPreviousEnv
from envs.memory.tmaze import TMazeEnv
from envs.memory.tmaze_pixels import TMazePixelsEnv

__all__ = [
    "CountRecallEnv",
    "MaskedRecallEnv",
    "PointRecallEnv",
    "RepeatFirstEnv",
    "RepeatPreviousEnv",
    "TMazeEnv",
    "TMazePixelsEnv",
]
