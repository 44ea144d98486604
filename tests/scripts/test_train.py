"""scripts/train.py end to end in a subprocess with a tiny budget; resume; Ctrl-C (bad input: test_user_errors.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from agents.experiment.builders import make_env, make_model
from agents.experiment.config import resolve_config
from agents.experiment.run_dir import create_run_dir, list_checkpoints, load_model
from agents.ppo.recurrent_ppo import RecurrentPPO
from tests.scripts.script_runner import ENV, ROOT, SCRIPTS, check_user_error, load_script, run_script

TINY = [
    "--env", "pomdp/TMaze-v0", "--n-envs", "2", "--no-progress",
    "--set", "n_steps=32", "--set", "batch_size=32", "--set", "n_epochs=1", "--set", "hidden_size=8",
    "--set", "net_arch=[8]", "--set", "eval_episodes=2", "--set", "eval_freq=128", "--set", "checkpoint_freq=128",
]  # fmt: skip
TINY_CONFIG = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "hidden_size": 8, "net_arch": [8],
               "eval_episodes": 2}  # fmt: skip


train_script = load_script("train")


def train_run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return run_script("train", *args, timeout=timeout)


def test_train_end_to_end_then_resume(tmp_path, interrupted):
    run_dir = tmp_path / "run"
    done = train_run(*TINY, "--timesteps", "256", "--run-dir", str(run_dir))
    assert done.returncode == 0, done.stderr
    assert "return" in done.stdout
    for name in ("config.yaml", "model.zip", "results.json", "evaluations.csv"):
        assert (run_dir / name).is_file(), name
    assert list(run_dir.glob("tb_1/events.out.tfevents.*"))
    assert json.loads((run_dir / "results.json").read_text())["step"] == 256
    # Resume in-process: the step count continues from the last checkpoint, up to the new total.
    assert train_script.main(["--resume", str(run_dir), "--timesteps", "384", "--no-progress"]) == 0
    results = json.loads((run_dir / "results.json").read_text())
    assert results["step"] == 384
    assert [c.step for c in list_checkpoints(run_dir)] == [0, 128, 256, 384]
    assert RecurrentPPO.load(run_dir / "model.zip").num_timesteps == 384


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """A long run started in a subprocess, to be interrupted; it starts first so that it trains while others run."""
    run_dir = tmp_path_factory.mktemp("sigint") / "run"
    process = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "train.py"), *TINY, "--timesteps", "1000000", "--run-dir", str(run_dir)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process, run_dir
    if process.poll() is None:
        process.kill()


def test_sigint_leaves_a_loadable_checkpoint(interrupted):
    process, run_dir = interrupted
    deadline = time.monotonic() + 90
    while not list_checkpoints(run_dir) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == train_script.EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert "--resume" in stdout
    last = list_checkpoints(run_dir)[-1]
    assert last.step > 0
    loaded = load_model(last.model)
    assert loaded.model.num_timesteps == last.step
    assert (run_dir / "config.yaml").is_file()


def test_an_error_while_building_the_model_leaves_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert train_script.main(["--env", "CartPole-v1", "--policy", "CnnGruPolicy", "--no-progress"]) == 2
    assert "error:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_before_training_starts_leaves_nothing(tmp_path, capsys, monkeypatch):
    """The first SIGINT while the env and model are built: nothing is written, exit status 130."""
    from agents.experiment import training

    build = training._build

    def build_then_interrupt(*args):
        model = build(*args)
        os.kill(os.getpid(), signal.SIGINT)  # turned into the flag by InterruptFlag
        return model

    monkeypatch.setattr(training, "_build", build_then_interrupt)
    assert train_script.main([*TINY, "--timesteps", "256", "--run-dir", str(tmp_path / "run")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_resume_continues_a_run_stopped_at_step_0(tmp_path):
    """A run directory holds a step-0 checkpoint from the moment it appears: --resume takes it from there."""
    config = resolve_config("pomdp/TMaze-v0", overrides={**TINY_CONFIG, "timesteps": 64})
    run_dir = tmp_path / "run"
    create_run_dir(run_dir, config, make_model(config, make_env(config)))
    assert train_script.main(["--resume", str(run_dir), "--no-progress"]) == 0
    assert json.loads((run_dir / "results.json").read_text())["step"] == 64


def test_preset_with_unknown_key(tmp_path, capsys):
    preset = tmp_path / "preset.yaml"
    preset.write_text("hyperparams:\n  n_step: 64\n")
    assert train_script.main(["--preset", str(preset), "--run-dir", str(tmp_path / "run")]) == 2
    assert "Unknown key 'n_step' in preset" in capsys.readouterr().err


def test_existing_run_dir_and_bad_resume_overwrite_nothing(tmp_path, capsys):
    run_dir = tmp_path / "run"
    (run_dir / "checkpoints").mkdir(parents=True)
    (run_dir / "config.yaml").write_text("env: pomdp/TMaze-v0\n")
    truncated = run_dir / "checkpoints" / "step_000000128.zip"
    truncated.write_bytes(b"PK\x03\x04 truncated")
    (run_dir / "checkpoints" / "step_000000128.json").write_text('{"step": 128, "train_time": 1, "normalize": false}')
    before = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    assert train_script.main(["--run-dir", str(run_dir)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert train_script.main(["--resume", str(truncated)]) == 2
    assert "is not a saved model, or truncated" in capsys.readouterr().err
    assert train_script.main(["--resume", str(run_dir), "--env", "pomdp/RepeatFirst-v0"]) == 2
    assert "cannot change" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "MlpPolicy", "--frame-stack", "-2"], "frame_stack=-2: expected int >= 0"),
        (["--set", "n_envs=many"], "n_envs='many': expected int >= 1, got str"),
        (["--set", "gamma=0.9", "--set", "gamma=0.8"], "--set gamma is given twice"),
        (["--n-envs", "2", "--set", "n_envs=4"], "n_envs is set by a flag and by --set"),
        (["--env", "pomdp/TMaz-v0"], "Unknown env id 'pomdp/TMaz-v0': the closest registered ids are pomdp/TMaze"),
        (["--cell", "gru", "--policy", "MlpPolicy"], "Give --cell or --policy, not both"),
        (["--agent", "ppo_mlp", "--cell", "gru"], "--agent sets the algorithm, policy and frame stack"),
        (["--algo", "sb3c"], "has LSTM policies only"),
        (["--env-kwargs", "corridor_length"], "--env-kwargs 'corridor_length': expected KEY:VALUE"),
        (["--env", "pomdp/TMaze-v0", "--env-kwargs", "corridor:3"], "unexpected keyword argument 'corridor'"),
    ],
)
def test_bad_input_is_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_user_error(train_script.main, args, message, capsys)


def test_list_keys_prints_every_key_with_its_range(capsys):
    assert train_script.main(["--list-keys"]) == 0
    out = capsys.readouterr().out
    assert "gamma (float in (0, 1], default 0.99): Discount factor." in out
    assert "n_steps (int >= 1, default 128)" in out


ZOO_PRESET = ROOT / "tests" / "agents" / "experiment" / "data" / "ppo_lstm_CartPoleNoVel.yml"


def test_rl_zoo3_preset_reaches_the_model(tmp_path, capsys):
    """rl-zoo3's own ppo_lstm.yml entry for CartPoleNoVel-v1 trains pomdp/CartPoleNoVel-v0 with its settings."""
    run_dir = tmp_path / "run"
    args = ["--preset", str(ZOO_PRESET), "--env", "pomdp/CartPoleNoVel-v0", "--timesteps", "256", "--run-dir",
            str(run_dir), "--no-progress", "--set", "eval_episodes=2", "--set", "eval_freq=0"]  # fmt: skip
    assert train_script.main(args) == 0
    assert "entry CartPoleNoVel-v1: ignored keys: none" in capsys.readouterr().out
    model = load_model(run_dir).model
    assert (model.n_envs, model.n_steps, model.batch_size, model.n_epochs) == (8, 32, 256, 20)
    assert (model.gamma, model.gae_lambda, model.ent_coef) == (0.98, 0.8, 0.0)
    assert model.lr_schedule(1.0) == pytest.approx(1e-3)
    assert model.lr_schedule(0.5) == pytest.approx(5e-4)  # lin_0.001
    assert model.clip_range(0.5) == pytest.approx(0.1)  # lin_0.2
    assert (
        model.policy.actor_core.rnn.hidden_size == 256
    )  # sb3-contrib's default lstm_hidden_size, which rl-zoo3 runs with
    assert type(model.policy).__name__ == "MlpLstmPolicy"
    assert [len(layer.weight) for layer in model.policy.mlp_extractor.policy_net[::2]] == [64, 64]


def test_env_kwargs_reach_the_env(tmp_path, capsys):
    run_dir = tmp_path / "run"
    args = [*TINY, "--timesteps", "64", "--run-dir", str(run_dir), "--env-kwargs", "corridor_length:2"]
    assert train_script.main(args) == 0
    out = capsys.readouterr().out
    assert "eval  step 0/64  return " in out
    loaded = load_model(run_dir)
    assert loaded.config.env_kwargs == {"corridor_length": 2}
    env = make_env(loaded.config, n_envs=1)
    assert env.get_attr("corridor_length") == [2]
    env.close()
