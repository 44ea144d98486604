"""scripts/evaluate.py end to end on a tiny trained run, and a GIF (bad input: test_user_errors.py)."""

from __future__ import annotations

import imageio.v3 as iio
import pytest

from tests.scripts.script_runner import check_user_error, load_script, run_script

evaluate_script = load_script("evaluate")


def test_evaluate_end_to_end_with_gif(finished_run, tmp_path):
    gif = tmp_path / "episode.gif"
    args = [str(finished_run), "--episodes", "4", "--gif", str(gif)]
    done = run_script("evaluate", *args, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "±" in done.stdout
    assert "success" in done.stdout
    frames = iio.imread(gif)
    assert frames.ndim == 4
    assert frames.shape[-1] == 3


def test_checkpoint_other_level_and_stochastic(finished_run, capsys):
    checkpoint = next((finished_run / "checkpoints").glob("step_*.zip"))
    args = [str(checkpoint), "--env", "pomdp/TMazeMedium-v0", "--episodes", "2", "--stochastic"]
    assert evaluate_script.main(args) == 0
    assert "TMazeMedium" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{run}", "--env", "pomdp/RepeatFirst-v0"], "but the model was trained on"),
        (["{run}", "--env", "pomdp/TMzae-v0"], "Unknown env id 'pomdp/TMzae-v0'"),
        (["{run}", "--gif", "taken.gif"], "--gif 'taken.gif' already exists: choose another"),
        (["{run}", "--gif", "no_folder/episode.gif"], "folder 'no_folder' does not exist"),
    ],
)
def test_bad_input_is_one_line(finished_run, args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.gif").write_bytes(b"mine")
    check_user_error(evaluate_script.main, [arg.format(run=finished_run) for arg in args], message, capsys)
    assert (tmp_path / "taken.gif").read_bytes() == b"mine"
