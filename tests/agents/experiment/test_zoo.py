"""rl-zoo3 hyperparameter files as presets: entries by env id, lin_ schedules, policy_kwargs parsed, never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.experiment.config import resolve_config
from agents.experiment.zoo import Symbol, describe, find_entry, from_zoo, parse_policy_kwargs, read_entry

FIXTURE = Path(__file__).parent / "data" / "ppo_lstm_CartPoleNoVel.yml"
# policy_kwargs of rl-zoo3's HalfCheetah-v3 entry in ppo_lstm.yml, as written there.
HALF_CHEETAH = """dict(
                    log_std_init=-2,
                    ortho_init=False,
                    activation_fn=nn.ReLU,
                    net_arch=[dict(pi=[256, 256], vf=[256, 256])]
                  )"""


def test_policy_kwargs_are_parsed_as_data():
    kwargs = parse_policy_kwargs(HALF_CHEETAH)
    assert kwargs == {"log_std_init": -2, "ortho_init": False, "activation_fn": "nn.ReLU",
                      "net_arch": [{"pi": [256, 256], "vf": [256, 256]}]}  # fmt: skip
    assert isinstance(kwargs["activation_fn"], Symbol)


@pytest.mark.parametrize("text", ["__import__('os').system('echo x')", "dict(a=open('f'))", "[1, 2]", "dict(a="])
def test_policy_kwargs_that_are_not_data_are_refused(text):
    with pytest.raises(ValueError, match="policy_kwargs"):
        parse_policy_kwargs(text)


def test_entry_maps_onto_our_keys_and_lists_what_it_ignores():
    entry = {"policy": "MlpLstmPolicy", "n_timesteps": 2e6, "clip_range": "lin_0.4", "learning_rate": 2.5e-4,
             "normalize": "{'norm_obs': True, 'norm_reward': False}", "use_sde": True,
             "policy_kwargs": HALF_CHEETAH}  # fmt: skip
    data, ignored = from_zoo(entry)
    hyper = data["hyperparams"]
    assert data["timesteps"] == 2_000_000
    assert (hyper["clip_range"], hyper["clip_schedule"]) == (0.4, "linear")
    assert (hyper["learning_rate"], hyper["lr_schedule"]) == (2.5e-4, "constant")
    assert (hyper["activation"], hyper["ortho_init"], hyper["net_arch"]) == ("relu", False, [256, 256])
    assert hyper["normalize"] is True
    assert hyper["hidden_size"] == 256  # sb3-contrib's lstm_hidden_size default, as rl-zoo3 runs it
    assert ignored == ["normalize options", "use_sde", "policy_kwargs.log_std_init"]


def test_entries_are_found_by_name_up_to_namespace_and_version():
    data = {"CartPoleNoVel-v1": {}, "Acrobot-v1": {}}
    assert find_entry(data, "pomdp/CartPoleNoVel-v0", "f.yml") == "CartPoleNoVel-v1"
    assert find_entry(data, "Acrobot-v1", "f.yml") == "Acrobot-v1"
    with pytest.raises(ValueError, match=r"f.yml has no entry for 'pomdp/TMaze-v0'; its entries: CartPoleNoVel-v1"):
        find_entry(data, "pomdp/TMaze-v0", "f.yml")


def test_rl_zoo3s_cartpole_entry_resolves_to_its_settings():
    config = resolve_config("pomdp/CartPoleNoVel-v0", FIXTURE)
    hp = config.hyperparams
    assert (config.env, config.policy, config.timesteps) == ("pomdp/CartPoleNoVel-v0", "MlpLstmPolicy", 100_000)
    assert (hp.n_envs, hp.n_steps, hp.batch_size, hp.n_epochs) == (8, 32, 256, 20)
    assert (hp.gamma, hp.gae_lambda, hp.ent_coef) == (0.98, 0.8, 0.0)
    assert (hp.learning_rate, hp.lr_schedule, hp.clip_range, hp.clip_schedule) == (1e-3, "linear", 0.2, "linear")
    entry = read_entry({"CartPoleNoVel-v1": {"policy": "MlpLstmPolicy"}}, config.env, "f.yml")
    assert describe(entry, "f.yml") == "rl-zoo3 preset f.yml, entry CartPoleNoVel-v1: ignored keys: none"
