"""Per-step latency of an exported policy (onnxruntime, TorchScript) against the PyTorch policy's ``predict``.

All three step the same observations with their own memory, one env (batch 1), alternating in rounds so that a
shared machine's load falls on all alike; each round's time per step is recorded and the medians are reported.
The export itself is timed too (``scripts/bench_export.py``).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from agents.export import export
from agents.ppo.recurrent_ppo import RecurrentPPO

BACKENDS = ("predict", "torchscript", "onnxruntime")


class LatencyResult(NamedTuple):
    """Medians over rounds, in microseconds per step, and the export times in seconds."""

    step_us: dict[str, float]  # backend -> median time per step
    export_s: dict[str, float]  # format -> time to export


def _steppers(model: RecurrentPPO, directory: Path) -> tuple[dict[str, object], dict[str, float]]:
    """Callables ``step(obs, state, start) -> state`` for each backend, and the export times."""
    import onnxruntime as ort

    export_s = {}
    for fmt, name in (("onnx", "policy.onnx"), ("torchscript", "policy.pt")):
        begin = time.perf_counter()
        export(model, directory / name, format=fmt)  # type: ignore[arg-type]
        export_s[fmt] = time.perf_counter() - begin
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = torch.get_num_threads()
    session = ort.InferenceSession(str(directory / "policy.onnx"), options, providers=["CPUExecutionProvider"])
    script = torch.jit.load(str(directory / "policy.pt"))

    def predict(obs: np.ndarray, state: np.ndarray, start: np.ndarray) -> np.ndarray:
        return model.predict(obs, state, start, deterministic=True)[1]

    def onnxruntime(obs: np.ndarray, state: np.ndarray, start: np.ndarray) -> np.ndarray:
        return session.run(["action", "new_state"], {"observation": obs, "state": state, "episode_start": start})[1]

    def torchscript(obs: np.ndarray, state: np.ndarray, start: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return script(torch.from_numpy(obs), torch.from_numpy(state), torch.from_numpy(start))[1].numpy()

    return {"predict": predict, "torchscript": torchscript, "onnxruntime": onnxruntime}, export_s


def step_latency(model: RecurrentPPO, rounds: int = 7, steps: int = 300, seed: int = 0) -> LatencyResult:
    """Median time per step of each backend over ``rounds`` alternating rounds of ``steps`` steps (batch 1)."""
    shape = model.observation_space.shape
    assert shape is not None
    observations = np.random.default_rng(seed).normal(size=(steps, 1, *shape)).astype(np.float32)
    S, H = model.policy.state_shape
    with tempfile.TemporaryDirectory() as directory:
        steppers, export_s = _steppers(model, Path(directory))
        times: dict[str, list[float]] = {name: [] for name in BACKENDS}
        for _ in range(rounds + 1):  # round 0 warms up and is dropped
            for name in BACKENDS:
                state, start, step = np.zeros((S, 1, H), np.float32), np.ones(1, np.float32), steppers[name]
                begin = time.perf_counter()
                for obs in observations:
                    state = step(obs, state, start)  # type: ignore[operator]
                    start = np.zeros(1, np.float32)
                times[name].append((time.perf_counter() - begin) / steps * 1e6)
    step_us = {name: float(np.median(values[1:])) for name, values in times.items()}
    return LatencyResult(step_us, export_s)
