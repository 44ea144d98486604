"""scripts/classify.py runs end to end in a subprocess with a tiny budget and prints its table."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("classify_script", ROOT / "scripts" / "classify.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_script(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "classify.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        # this checkout's packages first, whichever copy is installed
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_classification_table_with_baselines(tmp_path):
    out = run_script(
        *("--dataset", "parity", "--cells", "gru", "lstm", "--seeds", "0"),
        *("--set", "max_epochs=2", "hidden_size=8", "--data", "n_train=64", "n_test=16", "T=6"),
        *("--log-dir", str(tmp_path)),
    )
    assert "| GRU |" in out
    assert "| LSTM |" in out
    assert "| 1-NN (Euclidean) |" in out
    assert "| majority class |" in out
    assert list((tmp_path / "parity" / "gru_seed0").glob("events.out.tfevents.*"))


def test_regression_reports_mse():
    """In process (a second subprocess would mostly time imports): the adding problem is scored by MSE."""
    script = load_script()
    config = script.ClassifyConfig(
        dataset="adding",
        cells=("rnn",),
        seeds=(1,),
        estimator=script.parse_pairs(["max_epochs=1", "hidden_size=8"]),
        data=(("n_train", 64), ("n_test", 16), ("T", 10)),
        log_dir=None,
    )
    table = script.run(config)
    assert "test MSE" in table
    assert "| predict the training mean |" in table


def test_parse_pairs():
    script = load_script()
    assert script.parse_pairs(["lr=0.001", "cell=lstm", "bidirectional=True"]) == (
        ("lr", 0.001),
        ("cell", "lstm"),
        ("bidirectional", True),
    )
