"""scripts/forecast.py runs end to end in a subprocess with a tiny budget and prints its table."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_forecast_table_with_baselines(tmp_path):
    result = subprocess.run(
        [
            *(sys.executable, str(ROOT / "scripts" / "forecast.py"), "--dataset", "sines", "--cells", "gru"),
            *("--seeds", "0", "--horizon", "12", "--set", "max_epochs=2", "hidden_size=8", "--data", "length=120"),
            *("--log-dir", str(tmp_path), "--no-arima"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        # this checkout's packages first, whichever copy is installed
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    assert result.returncode == 0, result.stderr
    for name in ("| GRU |", "| naive (last value) |", "| seasonal naive (12) |", "| linear direct AR"):
        assert name in result.stdout
    assert list((tmp_path / "sines" / "gru_seed0").glob("events.out.tfevents.*"))
