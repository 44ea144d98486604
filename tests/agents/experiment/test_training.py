"""A training run: its files, its evaluations, resume, and nothing written when it cannot start."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pandas
import pytest
from stable_baselines3.common.monitor import load_results
from stable_baselines3.common.results_plotter import X_TIMESTEPS, ts2xy

from agents.experiment import training
from agents.experiment.config import resolve_config
from agents.experiment.errors import ConfigError
from agents.experiment.run_dir import EVALUATION_FIELDS, find_resume, list_checkpoints
from agents.experiment.training import Clock, next_multiple, run_training, truncate_evaluations

TINY = {"n_envs": 2, "n_steps": 16, "batch_size": 16, "n_epochs": 1, "hidden_size": 8, "net_arch": [8],
        "eval_episodes": 2, "eval_freq": 32, "checkpoint_freq": 64}  # fmt: skip


def config(**overrides):
    return resolve_config("pomdp/TMaze-v0", overrides={**TINY, **overrides})


def test_next_multiple():
    assert next_multiple(0, 32) == 32
    assert next_multiple(33, 32) == 64
    assert next_multiple(5, 0) == float("inf")


def test_clock_excludes_paused_time():
    clock = Clock(offset=10.0)
    with clock.paused():
        pass
    assert 10.0 <= clock.elapsed() < 11.0


def test_a_run_writes_its_files_and_resumes(tmp_path):
    run_dir = tmp_path / "run"
    result = run_training(config(timesteps=64), run_dir)
    assert (result.steps, result.interrupted) == (64, False)
    assert json.loads((run_dir / "results.json").read_text())["step"] == 64
    with (run_dir / "evaluations.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [int(row["step"]) for row in rows] == [0, 32, 64]
    assert set(rows[0]) == set(EVALUATION_FIELDS)
    assert [c.step for c in list_checkpoints(run_dir)] == [0, 64]
    _, saved, checkpoint = find_resume(run_dir)
    with pytest.raises(ConfigError, match="already at step 64"):
        run_training(saved, run_dir, checkpoint)
    resumed = run_training(saved.model_copy(update={"timesteps": 96}), run_dir, checkpoint)
    assert resumed.steps == 96
    assert [c.step for c in list_checkpoints(run_dir)] == [0, 64, 96]


def test_nothing_is_written_when_the_model_cannot_be_built(tmp_path):
    bad = resolve_config("CartPole-v1", overrides={**TINY, "policy": "CnnGruPolicy"})
    with pytest.raises(ValueError, match=r"[Ii]mage"):
        run_training(bad, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_run_dir_is_refused_before_building(tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "keep.txt").write_text("mine")
    monkeypatch.setattr(training, "_build", lambda *args: pytest.fail("built despite the existing directory"))
    with pytest.raises(FileExistsError, match="already exists"):
        run_training(config(timesteps=32), tmp_path / "run")
    assert (tmp_path / "run" / "keep.txt").read_text() == "mine"


def test_truncate_evaluations_drops_rows_after_the_checkpoint(tmp_path):
    rows = [",".join(EVALUATION_FIELDS)] + [f"{step},1,0,0,1,,2" for step in (0, 100, 200)]
    (tmp_path / "evaluations.csv").write_text("\n".join(rows) + "\n")
    truncate_evaluations(tmp_path, 100)
    lines = (tmp_path / "evaluations.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "100"]


def monitor_steps(run_dir):
    """Environment steps per training env that its monitor file accounts for, by rank."""
    frame = load_results(str(run_dir))
    assert list(frame.columns[:4]) == ["index", "r", "l", "t"]
    return [int(sum(pandas.read_csv(path, skiprows=1)["l"])) for path in sorted(run_dir.glob("*.monitor.csv"))]


@pytest.mark.parametrize(("vec_env", "files", "steps_per_file"), [("dummy", 2, 32), ("vector", 1, 64)])
def test_a_run_writes_sb3s_files_and_a_resume_continues_them(tmp_path, vec_env, files, steps_per_file):
    """evaluations.npz, best_model.zip and the monitor files as SB3's EvalCallback and Monitor (<rank>.monitor.csv)
    or VecMonitor (vector.monitor.csv) write them; resuming from an earlier checkpoint cuts them back to it instead of
    counting those episodes and evaluations twice."""
    run_dir = tmp_path / "run"
    run_training(config(timesteps=64, eval_episodes=3, vec_env=vec_env), run_dir)
    with np.load(run_dir / "evaluations.npz") as data:
        assert data["timesteps"].tolist() == [0, 32, 64]
        assert data["results"].shape == data["ep_lengths"].shape == (3, 3)
        final = data["results"][-1]
    assert json.loads((run_dir / "results.json").read_text())["mean_return"] == pytest.approx(final.mean())
    assert (run_dir / "best_model.zip").is_file()
    first = monitor_steps(run_dir)
    assert len(first) == files
    assert all(steps_per_file / 2 < steps <= steps_per_file for steps in first)  # unfinished episodes at the end
    assert "## Load and evaluate" in (run_dir / "README.md").read_text()

    step0 = list_checkpoints(run_dir)[0]
    _, saved, checkpoint = find_resume(step0.model)
    assert checkpoint.step == 0
    run_training(saved, run_dir, checkpoint)
    with np.load(run_dir / "evaluations.npz") as data:
        assert data["timesteps"].tolist() == [0, 32, 64]
    assert all(steps_per_file / 2 < steps <= steps_per_file for steps in monitor_steps(run_dir))
    x, _ = ts2xy(load_results(str(run_dir)), X_TIMESTEPS)  # as rl-zoo3's plots/plot_train.py reads a run
    assert np.all(np.diff(x) > 0)
    assert x[-1] <= 64  # the episodes of 2 envs x 32 steps, none counted twice


def test_progress_bar_stops_at_the_requested_total(tmp_path, monkeypatch):
    """Rollouts of 2 x 16 steps overshoot a total of 48 (training ends at 64); the bar stops at 48."""
    shown, close = [], training.ProgressBar._on_training_end

    def record_then_close(self):
        shown.append(self.pbar.n)
        close(self)

    monkeypatch.setattr(training.ProgressBar, "_on_training_end", record_then_close)
    result = run_training(config(timesteps=48, eval_freq=0), tmp_path / "run", progress_bar=True)
    assert result.steps == 64
    assert shown == [48]


def test_a_line_per_evaluation_and_the_threshold_step(tmp_path):
    lines = []
    result = run_training(config(timesteps=64, threshold=-1.0), tmp_path / "run", echo=lines.append)
    assert [line.split("  ")[1] for line in lines] == ["step 0/64", "step 32/64", "step 64/64"]
    assert re.fullmatch(r"eval  step 0/64  return \d\.\d\d ± \d\.\d\d  success \d+%  fps -", lines[0])
    assert re.search(r"fps [\d,]+$", lines[1])
    assert (result.final["threshold"], result.final["threshold_step"]) == (-1.0, 0)  # any return reaches -1


def test_model_card_says_how_to_load_and_its_snippet_runs(tmp_path):
    run_dir = tmp_path / "run"
    run_training(config(timesteps=32, eval_freq=0), run_dir)
    card = (run_dir / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: stable-baselines3\n")
    assert "| environment steps | 32 |" in card
    assert f"python scripts/evaluate.py {run_dir} --episodes 100 --gif episode.gif" in card
    snippet = card.split("```python\n")[1].split("```")[0]
    exec(compile(snippet, "model card", "exec"), {"print": lambda summary: None})  # the card's own code, as written


def test_evaluations_pass_the_envs_action_masks(tmp_path):
    """On MaskedRecall an invalid action ends the episode early: with the masks passed, every evaluation episode of an
    untrained agent runs its full length."""
    masked = resolve_config("pomdp/MaskedRecall-v0", overrides={**TINY, "timesteps": 32, "eval_episodes": 8})
    run_dir = run_training(masked, tmp_path / "run").run_dir
    with np.load(run_dir / "evaluations.npz") as data:
        assert data["ep_lengths"].min() == data["ep_lengths"].max() == 6
