"""Cases of the vector-env tests: every memory task at every level, as (vector class, single class, level)."""

from __future__ import annotations

import pytest

from envs.memory.base import LEVEL_NAMES
from envs.vector import VECTOR_ENVS

CASES = [pytest.param(cls, level, id=f"{task}-{level}") for task, cls in VECTOR_ENVS.items() for level in LEVEL_NAMES]
