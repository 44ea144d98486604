"""scripts/forecast.py runs end to end in a subprocess with a tiny budget and prints its table."""

from tests.scripts.script_runner import run_script


def test_forecast_table_with_baselines(tmp_path):
    result = run_script(
        "forecast",
        *("--dataset", "sines", "--cells", "gru", "--seeds", "1", "--horizon", "12", "--set", "max_epochs=2"),
        *("--set", "hidden_size=8", "--data", "length=120", "--log-dir", str(tmp_path), "--no-arima"),
    )
    assert result.returncode == 0, result.stderr
    for name in ("| GRU |", "| naive (last value) |", "| seasonal naive (12) |", "| linear direct AR"):
        assert name in result.stdout
    assert list((tmp_path / "sines" / "gru_seed0").glob("events.out.tfevents.*"))
