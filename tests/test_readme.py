"""The README's and the docs' Python examples run as written: each file's blocks, in order, in one fresh process.

A block preceded by ``<!-- not run by tests/test_readme.py: <why> -->`` is left out (long training runs).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripts.script_runner import ENV, ROOT

SKIP = "<!-- not run by tests/test_readme.py:"
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)\n```", re.DOTALL)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def python_blocks(page: Path) -> tuple[list[str], int]:
    """The blocks to run, and how many were left out."""
    blocks = [(m["before"], m["code"]) for m in BLOCK.finditer(page.read_text())]
    kept = [code for before, code in blocks if not before.startswith(SKIP)]
    return kept, len(blocks) - len(kept)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_examples_run_as_written(page, tmp_path):
    blocks, _ = python_blocks(page)
    if not blocks:
        pytest.skip(f"{page.name} has no Python example to run")
    script = "import torch\ntorch.set_num_threads(1)\n" + "\n\n".join(blocks)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_skipped_blocks_say_why():
    for page in PAGES:
        for line in page.read_text().splitlines():
            if line.startswith(SKIP):
                assert line.removeprefix(SKIP).removesuffix("-->").strip(), f"{page.name}: {line}"
