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

from policies.cores import CELLS, make_core, reset_state


def step_loop(core, x, state, starts):
    outputs = []
    for t in range(x.shape[0]):
        state = reset_state(state, starts[t])
        out, state = core(x[t : t + 1], state, torch.zeros(1, x.shape[1]))
        outputs.append(out)
    return torch.cat(outputs), state


def time_once(fn, core, x, state, starts) -> float:
    core.zero_grad()
    begin = time.perf_counter()
    out, final = fn(core, x, state, starts)
    (out.sum() + final.sum()).backward()
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
    print("| cell | fused (ms) | step loop (ms) | speed-up |")
    print("| --- | ---: | ---: | ---: |")
    for cell in CELLS:
        core = make_core(cell, args.F, args.H)
        state = core.initial_state(args.B)
        fused, looped = [], []
        for _ in range(args.repeats):  # alternate so that machine noise hits both alike
            fused.append(time_once(type(core).forward, core, x, state, starts))
            looped.append(time_once(step_loop, core, x, state, starts))
        f, s = statistics.median(fused) * 1e3, statistics.median(looped) * 1e3
        print(f"| {cell} | {f:.1f} | {s:.1f} | {s / f:.1f}x |")


if __name__ == "__main__":
    main()
