"""Benchmark report: the CSV of every evaluation, the table's cells, the header and the plots, from run folders."""

from __future__ import annotations

import csv

import numpy as np

from agents.experiment.benchmark import plan
from agents.experiment.report import (
    _plot_task,
    final_scores,
    header,
    machine,
    markdown_table,
    mean_std,
    scores_from_csv,
    summary_rows,
    task_file_name,
    write_report,
)
from agents.experiment.run_dir import EVALUATION_FIELDS, EVALUATIONS_FILE


def fake_runs(tmp_path, returns_by_seed):
    """Run folders whose evaluations.csv hold the given returns at steps 0, 50, 100 (no training)."""
    jobs = plan(["pomdp/TMaze-v0"], ["ppo_gru"], list(range(len(returns_by_seed))), tmp_path, {"timesteps": 100})
    for job, returns in zip(jobs, returns_by_seed, strict=True):
        job.run_dir.mkdir(parents=True)
        with (job.run_dir / EVALUATIONS_FILE).open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(EVALUATION_FIELDS)
            for step, value in zip((0, 50, 100), returns, strict=True):
                writer.writerow([step, step / 10, value, 0.0, 8.0, float(value == 1.0), 20])
    return jobs


def test_mean_std_decimals_follow_the_size():
    assert mean_std([386.0, 226.0, 546.0]) == "386 ± 131"
    assert mean_std([39.8, 39.8]) == "39.8 ± 0.0"
    assert mean_std([0.41, 0.49]) == "0.45 ± 0.04"


def test_summary_row_of_three_seeds(tmp_path):
    jobs = fake_runs(tmp_path, [(0.5, 1.0, 1.0), (0.5, 0.5, 1.0), (0.5, 0.5, 0.5)])
    (row,) = summary_rows(jobs)
    assert row["seeds"] == "3/3"
    assert row["final return"] == "0.83 ± 0.24"
    assert row["success"] == "67%"
    assert row["steps to threshold"] == "75 (2/3 seeds)"  # reached at 50 and at 100
    assert row["fps"] == "10"
    table = markdown_table(jobs)
    assert "| pomdp/TMaze-v0 | ppo_gru | 3/3 |" in table
    assert "- pomdp/TMaze-v0: threshold 0.95, optimal 1, best memoryless 0.5" in table


def test_write_report_files(tmp_path):
    jobs = fake_runs(tmp_path / "bench", [(0.5, 1.0, 1.0)])
    paths = write_report(jobs, tmp_path / "bench", header(jobs, {"wall_time": 60.0, "command": "python x"}))
    with paths["csv"].open() as file:
        rows = list(csv.DictReader(file))
    assert [(row["agent"], row["step"]) for row in rows] == [("ppo_gru", "0"), ("ppo_gru", "50"), ("ppo_gru", "100")]
    text = paths["table"].read_text()
    assert text.startswith("Benchmark: 1 runs (0 finished)")
    assert "Wall time of the benchmark: 1.0 min." in text
    assert (tmp_path / "bench" / "curves.png").stat().st_size > 0
    assert (tmp_path / "bench" / "curves_TMaze.png").stat().st_size > 0
    assert "cores, torch" in machine()


def test_every_panel_has_a_legend_and_files_are_named_by_task(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    jobs = fake_runs(tmp_path, [(0.5, 1.0, 1.0), (0.5, 0.5, 1.0)])
    figure, ax = plt.subplots()
    _plot_task(ax, jobs)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    plt.close(figure)
    assert labels == ["ppo_gru", "best memoryless"]
    assert task_file_name("pomdp/CartPoleNoVel-v0") == "CartPoleNoVel"
    assert task_file_name("CartPole-v1") == "CartPole"


def test_aggregates_from_final_scores(tmp_path):
    jobs = fake_runs(tmp_path / "bench", [(0.5, 1.0, 1.0), (0.5, 0.5, 0.5)])
    scores = final_scores(jobs)
    np.testing.assert_allclose(scores["ppo_gru"], [[1.0], [0.5]])  # (seeds, tasks), / the optimal return 1
    paths = write_report(jobs, tmp_path / "bench", "")
    from_csv = scores_from_csv(paths["csv"])  # the same scores from the benchmark's CSV alone
    np.testing.assert_allclose(from_csv["ppo_gru"], scores["ppo_gru"])
    assert "Aggregate scores over tasks" in paths["table"].read_text()
    assert "| ppo_gru | 2 x 1 | 0.75 [" in paths["table"].read_text()
    assert paths["aggregates"].stat().st_size > 0
