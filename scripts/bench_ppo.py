"""Speed benchmark: our RecurrentPPO vs sb3-contrib's, same hyperparameters, alternating runs in one invocation.

Uses rl-zoo3's CartPoleNoVel preset (8 envs, n_steps 32, batch 256, 20 epochs, linearly decayed learning rate 1e-3
and clip range 0.2, gamma 0.98, gae_lambda 0.8, VecNormalize, LSTM hidden 64, critic core on, ReLU heads [64]).
Prints the frames per second of each run, their medians and the ratio.

    python scripts/bench_ppo.py --timesteps 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import gymnasium as gym
import torch
from sb3_contrib import RecurrentPPO as Sb3ContribRecurrentPPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize

import envs  # noqa: F401  # registers the pomdp/ ids
from agents import RecurrentPPO


def linear(initial: float) -> Callable[[float], float]:
    return lambda progress_remaining: progress_remaining * initial


def preset(policy: str) -> dict:
    """rl-zoo3's CartPoleNoVel hyperparameters, with the policy_kwargs spelled as sb3-contrib spells them."""
    return dict(
        policy=policy,
        n_steps=32,
        batch_size=256,
        n_epochs=20,
        learning_rate=linear(1e-3),
        clip_range=linear(0.2),
        gamma=0.98,
        gae_lambda=0.8,
        ent_coef=0.0,
        policy_kwargs=dict(
            ortho_init=False,
            activation_fn=torch.nn.ReLU,
            lstm_hidden_size=64,
            enable_critic_lstm=True,
            net_arch=dict(pi=[64], vf=[64]),
        ),
    )


def fps(algo_class: type, policy: str, env_id: str, timesteps: int, seed: int, device: str) -> float:
    env = VecNormalize(make_vec_env(env_id, n_envs=8, seed=seed))
    model = algo_class(env=env, seed=seed, device=device, **preset(policy))
    begin = time.perf_counter()
    model.learn(timesteps)
    elapsed = time.perf_counter() - begin
    env.close()
    return model.num_timesteps / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="pomdp/CartPoleNoVel-v0")
    parser.add_argument("--timesteps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cells", default="lstm,gru,rnn", help="our cells to time beside sb3-contrib's LSTM")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gym.make(args.env).close()  # fail early on an unknown id

    agents = {"sb3-contrib lstm": (Sb3ContribRecurrentPPO, "MlpLstmPolicy")}
    for cell in args.cells.split(","):
        agents[f"ours {cell}"] = (RecurrentPPO, f"Mlp{cell.capitalize()}Policy")
    results: dict[str, list[float]] = {name: [] for name in agents}
    for repeat in range(args.repeats):  # alternate, so that machine noise hits every agent alike
        for name, (algo_class, policy) in agents.items():
            results[name].append(fps(algo_class, policy, args.env, args.timesteps, repeat, args.device))
            print(f"repeat {repeat}: {name}: {results[name][-1]:.0f} fps", flush=True)

    base = statistics.median(results["sb3-contrib lstm"])
    print(f"\n{args.env}, {args.timesteps} steps x {args.repeats} repeats, {args.threads} thread(s), {args.device}")
    print("| agent | fps (median) | runs | vs sb3-contrib |")
    print("| --- | ---: | --- | ---: |")
    for name, values in results.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"| {name} | {median:.0f} | {runs} | {median / base:.2f}x |")


if __name__ == "__main__":
    main()
