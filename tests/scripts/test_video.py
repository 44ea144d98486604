"""scripts/video.py runs end to end in a subprocess with a tiny budget; bad input is one line, exit 2, no files."""

from pathlib import Path

import pytest

from tests.scripts.script_runner import load_script, run_script

TINY_DATA = ("--data", "n_train=48", "--data", "n_test=24", "--data", "T=4", "--data", "size=8")


def test_table_beside_the_order_blind_baselines(tmp_path):
    result = run_script(
        "video",
        *("--cells", "gru", "lstm", "--seeds", "2", *TINY_DATA, "--data", "min_length=3"),
        *("--set", "max_steps=3", "--set", "hidden_size=8", "--log-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[2:]] == [
        "| CNN + GRU",
        "| CNN + LSTM",
        "| majority class",
        "| logistic regression on the middle frame",
        "| logistic regression on a random frame",
        "| logistic regression on the mean frame",
    ]
    assert len(rows[2].split(" | ")[2].split(", ")) == 2  # one score per seed
    assert list((tmp_path / "moving_digits" / "lstm_seed1").glob("events.out.tfevents.*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds", "0"], "argument --seeds: expected an integer >= 1, got '0'"),
        (["--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
        (["--data", "n_trian=5"], "Unknown key 'n_trian' in the arguments of moving_digits"),
        (["--data", "T=1", *TINY_DATA[:4]], "T=1: a clip needs at least 2 frames"),
        (["--set", "hiden_size=8"], "Unknown key 'hiden_size' in the estimator's parameters"),
        (["--set", "lr=-1"], "lr=-1: expected > 0"),
        (["--set", "random_state=3"], "--set random_state: the script sets it for every run"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_creates_nothing(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    main = load_script("video").main
    try:
        status = main(args)
    except SystemExit as exit_:  # argparse's own errors exit rather than return
        status = exit_.code
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1, err
    assert message in err
    assert not list(Path(tmp_path).iterdir())


def test_bad_input_as_a_process(tmp_path):
    result = run_script("video", "--data", "size=4", "--log-dir", str(tmp_path / "logs"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "size=4: the canvas must be at least 8 pixels" in result.stderr
    assert not (tmp_path / "logs").exists()
