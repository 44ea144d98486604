"""What the script tests share: run a script in a subprocess, or load it as a module, against this checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
# This checkout's packages first, whichever copy is installed.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def run_script(name: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``scripts/<name>.py`` with ``args`` from the repository root; output captured as text."""
    command = [sys.executable, str(SCRIPTS / f"{name}.py"), *args]
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as the module ``<name>_script``, to call its functions in-process."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def check_user_error(main: Callable[[list[str]], int], args: list[str], message: str, capsys: Any) -> None:
    """In process: ``main(args)`` returns 2 with one line on stderr holding ``message``, and nothing in the current
    folder was created or changed."""
    before = {path: path.stat().st_mtime_ns for path in Path.cwd().rglob("*")}
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert message in err
    assert {path: path.stat().st_mtime_ns for path in Path.cwd().rglob("*")} == before
