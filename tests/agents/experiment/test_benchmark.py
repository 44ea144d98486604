"""The benchmark matrix: planning, budgets per task, and what a run folder's state says."""

from __future__ import annotations

import pytest

from agents.experiment.benchmark import Job, cost, job_state, plan, plan_matrix
from agents.experiment.errors import ConfigError


def test_plan_orders_jobs_and_checks_every_config(tmp_path):
    jobs = plan(["pomdp/TMaze-v0"], ["ppo_gru", "ppo_mlp"], seeds=[0, 1], out=tmp_path)
    assert [job.name for job in jobs] == [
        "pomdp/TMaze-v0 ppo_gru s0",
        "pomdp/TMaze-v0 ppo_gru s1",
        "pomdp/TMaze-v0 ppo_mlp s0",
        "pomdp/TMaze-v0 ppo_mlp s1",
    ]
    assert jobs[0].run_dir == tmp_path / "runs" / "pomdp/TMaze-v0" / "ppo_gru_s0"
    assert jobs[0].config().threads == 1
    with pytest.raises(ValueError, match=r"Unknown agent\(s\) \['ppo_transformer'\]"):
        plan(["pomdp/TMaze-v0"], ["ppo_transformer"], [0], tmp_path)
    with pytest.raises(ConfigError, match="gamma=5: expected float in"):
        plan(["pomdp/TMaze-v0"], ["ppo_gru"], [0], tmp_path, {"gamma": 5})


def test_budgets_scale_per_task_preset(tmp_path):
    tasks = ["pomdp/TMaze-v0", "pomdp/CartPoleNoVel-v0"]
    jobs = plan_matrix(tasks, ["ppo_mlp"], [0], tmp_path, scale=0.5)
    assert [job.config().timesteps for job in jobs] == [15_000, 50_000]
    assert [job.config().eval_freq for job in jobs] == [1_500, 2_500]
    fixed = plan_matrix(tasks, ["ppo_mlp"], [0], tmp_path, timesteps=1000)
    assert [job.config().timesteps for job in fixed] == [1000, 1000]


def test_costlier_agents_start_first(tmp_path):
    gru, mlp = plan(["pomdp/TMaze-v0"], ["ppo_gru", "ppo_mlp"], [0], tmp_path)
    assert cost(gru) > cost(mlp)


def test_changed_config_in_the_same_folder_is_an_error(tmp_path):
    (job,) = plan(["pomdp/TMaze-v0"], ["ppo_mlp"], [0], tmp_path, {"timesteps": 64})
    job.run_dir.mkdir(parents=True)
    (job.run_dir / "config.yaml").write_text("env: pomdp/TMaze-v0\ntimesteps: 32\nalgo: ppo\npolicy: MlpPolicy\n")
    with pytest.raises(ValueError, match="was run with another config"):
        job_state(job)
    assert job_state(Job("pomdp/TMaze-v0", "ppo_gru", 0, tmp_path)) == "new"
