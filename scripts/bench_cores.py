"""Micro-benchmark: one fused call over a chunk with resets vs a Python loop over time steps.

For each cell, forward + backward over a (T, B, F) chunk with hidden size H, where every sequence has one reset
at a random step. Prints a markdown table of median times and the speed-up.

    python scripts/bench_cores.py --repeats 5
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from policies.cores import CELLS, RecurrentCore, make_core, step_through


def time_once(fn, core, x, state, starts) -> float:
    """Seconds for forward + backward; the loss uses the final state too when ``fn`` returns one."""
    core.zero_grad()
    begin = time.perf_counter()
    result = fn(core, x, state, starts)
    loss = result[0].sum() + result[1].sum() if isinstance(result, tuple) else result.sum()
    loss.backward()
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--T", type=int, default=128)
    parser.add_argument("--B", type=int, default=64)
    parser.add_argument("--F", type=int, default=64)
    parser.add_argument("--H", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(args.T, args.B, args.F)
    starts = torch.zeros(args.T, args.B)
    starts[torch.randint(1, args.T, (args.B,)), torch.arange(args.B)] = 1

    print(f"T={args.T} B={args.B} F={args.F} H={args.H}, {args.threads} thread(s), {platform.processor() or 'cpu'}")
    print("| cell | step loop (ms) | fused, outputs + state (ms) | speed-up | fused, outputs only (ms) | speed-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    ways = {"loop": step_through, "forward": fused_forward, "outputs": fused_outputs}
    for cell in CELLS:
        core = make_core(cell, args.F, args.H)
        state = core.initial_state(args.B)
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.repeats):  # alternate so that machine noise hits every way alike
            for name, fn in ways.items():
                times[name].append(time_once(fn, core, x, state, starts))
        ms = {name: statistics.median(values) * 1e3 for name, values in times.items()}
        loop, fwd, out = ms["loop"], ms["forward"], ms["outputs"]
        print(f"| {cell} | {loop:.1f} | {fwd:.1f} | {loop / fwd:.1f}x | {out:.1f} | {loop / out:.1f}x |")


def fused_forward(core: RecurrentCore, x, state, starts):
    return core(x, state, starts)


def fused_outputs(core: RecurrentCore, x, state, starts):
    """The path of the PPO update and the sequence heads: no final state, so no second pass for short tails."""
    return core.outputs(x, state, starts)


if __name__ == "__main__":
    main()
