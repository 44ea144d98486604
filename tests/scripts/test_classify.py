"""scripts/classify.py runs end to end in a subprocess with a tiny budget and prints its table."""

from tests.scripts.script_runner import load_script, run_script


def classify(*args: str) -> str:
    result = run_script("classify", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_classification_table_with_baselines(tmp_path):
    out = classify(
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
    script = load_script("classify")
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
    script = load_script("classify")
    assert script.parse_pairs(["lr=0.001", "cell=lstm", "bidirectional=True"]) == (
        ("lr", 0.001),
        ("cell", "lstm"),
        ("bidirectional", True),
    )
