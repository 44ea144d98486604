"""scripts/classify.py runs end to end in a subprocess with a tiny budget and prints its table."""

from tests.scripts.script_runner import check_user_error, load_script, run_script


def test_classification_table_with_baselines(tmp_path):
    result = run_script(
        "classify",
        *("--dataset", "parity", "--cells", "gru", "lstm", "--seeds", "1"),
        *("--set", "max_epochs=2", "--set", "hidden_size=8", "--data", "n_train=64", "--data", "n_test=16"),
        *("--data", "T=6", "--log-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    for row in ("| GRU |", "| LSTM |", "| 1-NN (Euclidean) |", "| majority class |"):
        assert row in result.stdout
    assert list((tmp_path / "parity" / "gru_seed0").glob("events.out.tfevents.*"))


def test_unknown_generator_argument_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main = load_script("classify").main
    check_user_error(main, ["--dataset", "parity", "--data", "n_trian=5"], "Unknown key 'n_trian'", capsys)
