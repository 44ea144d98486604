"""Array implementations of the memory tasks (N envs as numpy array operations) and an SB3 `VecEnv` adapter.

Each `<Task>VectorEnv` is the `vector_entry_point` of its ids, so
`gymnasium.make_vec("pomdp/TMaze-v0", num_envs=1024, vectorization_mode="vector_entry_point")` builds one.
"""

from envs.vector.base import MemoryVectorEnv
from envs.vector.count_recall import CountRecallVectorEnv
from envs.vector.point_recall import PointRecallVectorEnv
from envs.vector.repeat_first import RepeatFirstVectorEnv
from envs.vector.repeat_previous import RepeatPreviousVectorEnv
from envs.vector.tmaze import TMazeVectorEnv
from envs.vector.tmaze_pixels import TMazePixelsVectorEnv

VECTOR_ENVS: dict[str, type[MemoryVectorEnv]] = {
    "TMaze": TMazeVectorEnv,
    "TMazePixels": TMazePixelsVectorEnv,
    "RepeatPrevious": RepeatPreviousVectorEnv,
    "RepeatFirst": RepeatFirstVectorEnv,
    "CountRecall": CountRecallVectorEnv,
    "PointRecall": PointRecallVectorEnv,
}
"""Memory task -> its array implementation."""

__all__ = [
    "VECTOR_ENVS",
    "CountRecallVectorEnv",
    "MemoryVectorEnv",
    "PointRecallVectorEnv",
    "RepeatFirstVectorEnv",
    "RepeatPreviousVectorEnv",
    "TMazePixelsVectorEnv",
    "TMazeVectorEnv",
]
