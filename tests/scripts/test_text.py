"""scripts/text.py end to end in a subprocess with tiny budgets, and its user errors."""

import pytest

from tests.scripts.script_runner import check_user_error, load_script, run_script

TINY = ("--set", "hidden_size=8", "--set", "embedding_dim=4", "--set", "max_steps=4", "--set", "eval_every=4")


def test_language_model_table_beside_the_ngram_with_samples():
    result = run_script("text", "--dataset", "python_docs", "--seeds", "1", "--samples", "20", *TINY)
    assert result.returncode == 0, result.stderr
    assert "| GRU |" in result.stdout
    assert "-gram, add-" in result.stdout
    assert "Samples (model of seed 0" in result.stdout
    assert "'Return " in result.stdout


def test_dyck_table_compares_with_the_exact_distribution():
    data = ("--data", "n_train=60", "--data", "n_val=10", "--data", "n_test=10", "--data", "max_depth=3")
    result = run_script("text", "--dataset", "dyck2", "--seeds", "1", "--set", "cell=lstm", *TINY, *data)
    assert result.returncode == 0, result.stderr
    assert "| LSTM |" in result.stdout
    assert "mean TV" in result.stdout


def test_names_table_beside_the_bag_of_ngrams():
    locales = ("--data", "locales=[fr_FR, fi_FI]")
    result = run_script("text", "--dataset", "names", "--seeds", "1", *TINY[:6], "--set", "min_steps=0", *locales)
    assert result.returncode == 0, result.stderr
    assert "| a character LSTM per locale (LanguageModelClassifier) |" in result.stdout
    assert "| characters -> GRU (RecurrentClassifier) |" in result.stdout
    assert "TF-IDF + logistic regression" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "names", "--set", "hiden_size=3"], "Unknown key 'hiden_size'"),
        (["--dataset", "dyck2", "--data", "p_open=2"], "p_open=2"),
        (["--dataset", "dyck2", "--set", "pooling=max"], "Unknown key 'pooling'"),
        (["--dataset", "python_docs", "--set", "hidden_size=0", "--seeds", "1"], "hidden_size=0"),
        (["--dataset", "python_docs", "--data", "fractions=[0.9, 0.5]", "--seeds", "1"], "fractions=[0.9, 0.5]"),
    ],
)
def test_user_errors_are_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_user_error(load_script("text").main, args, message, capsys)
