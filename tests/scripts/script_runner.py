"""What the script tests share: run a script in a subprocess, or load it as a module, against this checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

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
