"""Export speed and per-step latency: a policy exported to ONNX (run by onnxruntime) and TorchScript, against the
PyTorch policy's ``predict``, one env, alternating rounds in one invocation; medians and ratios to ``predict``.

Untrained policies with the given sizes (latency does not depend on the weights), on CartPole-v1's spaces.

    python scripts/bench_export.py                          # rnn, lstm, gru; hidden 64; 1 layer
    python scripts/bench_export.py --cells lstm --hidden-size 256 --num-layers 2
"""

from __future__ import annotations

import argparse
import platform
import sys

import torch

from agents.experiment.cli import make_parser, positive_int, run_script
from agents.experiment.export_latency import BACKENDS, step_latency
from agents.ppo.recurrent_ppo import RecurrentPPO
from policies.cores import check_cell

POLICIES = {"rnn": "MlpRnnPolicy", "lstm": "MlpLstmPolicy", "gru": "MlpGruPolicy"}


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the policy and the observations", set_help=None)
    parser.add_argument("--env", default="CartPole-v1", help="env id whose spaces the policy takes")
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm", "gru"], help="cells to measure")
    parser.add_argument("--hidden-size", type=positive_int, default=64, help="units per core layer")
    parser.add_argument("--num-layers", type=positive_int, default=1, help="core layers")
    parser.add_argument("--rounds", type=positive_int, default=7, help="alternating rounds (one more warms up)")
    parser.add_argument("--steps", type=positive_int, default=300, help="steps per round")
    return parser


def bench(args: argparse.Namespace) -> int:
    cells = [check_cell(cell) for cell in args.cells]
    header = "| cell | export ONNX (s) | export TorchScript (s) | " + " | ".join(f"{b} (µs/step)" for b in BACKENDS)
    rows = [header + " | onnxruntime / predict | torchscript / predict |", "|" + " --- |" * 8]
    for cell in cells:
        kwargs = {"hidden_size": args.hidden_size, "num_layers": args.num_layers, "net_arch": [64]}
        model = RecurrentPPO(POLICIES[cell], args.env, n_steps=8, batch_size=8, policy_kwargs=kwargs, seed=args.seed,
                             device=args.device)  # fmt: skip
        result = step_latency(model, args.rounds, args.steps, args.seed)
        us = result.step_us
        rows.append(
            f"| {cell} | {result.export_s['onnx']:.2f} | {result.export_s['torchscript']:.2f} | "
            + " | ".join(f"{us[b]:.0f}" for b in BACKENDS)
            + f" | {us['onnxruntime'] / us['predict']:.2f} | {us['torchscript'] / us['predict']:.2f} |"
        )
        print(rows[-1], flush=True)
    print(f"\n{args.env} spaces, hidden {args.hidden_size}, {args.num_layers} layer(s), batch 1, "
          f"{torch.get_num_threads()} thread(s), {platform.processor() or platform.machine()}")  # fmt: skip
    print("\n".join(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), bench, argv)


if __name__ == "__main__":
    sys.exit(main())
