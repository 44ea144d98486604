"""Train and evaluate recurrent forecasters on a named series, from a fixed origin, against classical baselines.

Each cell type and seed is trained on the series up to the origin and forecasts the held-out horizon in one go.
The table shows MAE, RMSE, MAPE, sMAPE and MASE (scaled by the training series' seasonal naive error) beside the
naive, seasonal naive and linear direct AR (ridge) forecasts, and an ARIMA when statsmodels is installed.

    python scripts/forecast.py --dataset airline --cells rnn lstm gru --seeds 3
    python scripts/forecast.py --dataset sines --set max_epochs=5 --data length=300
"""

from __future__ import annotations

import argparse
import sys

from agents.experiment.cli import make_parser, parse_set, positive_int, run_script
from agents.experiment.forecast import ForecastConfig, check_config, forecast_table
from envs.datasets import FORECASTING


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the first run; run i uses seed + i", set_help=(
        "an estimator parameter (e.g. lookback=36, max_epochs=5); repeat for several"))  # fmt: skip
    parser.add_argument("--dataset", default=ForecastConfig.dataset, choices=sorted(FORECASTING), help="series")
    parser.add_argument("--cells", nargs="+", default=list(ForecastConfig.cells), help="cell types to compare")
    parser.add_argument("--seeds", type=positive_int, default=3, help="runs per cell (default 3)")
    parser.add_argument("--horizon", type=positive_int, help="steps forecast at once (default: the held-out part)")
    parser.add_argument(
        "--data", action="append", default=[], metavar="KEY=VALUE", help="an argument of a synthetic generator"
    )
    parser.add_argument("--log-dir", default=ForecastConfig.log_dir, help="TensorBoard logs; 'none' disables them")
    parser.add_argument("--no-arima", action="store_true", help="skip the ARIMA baseline")
    return parser


def forecast(args: argparse.Namespace) -> int:
    config = ForecastConfig(
        dataset=args.dataset,
        cells=tuple(args.cells),
        seeds=tuple(range(args.seed, args.seed + args.seeds)),
        horizon=args.horizon,
        estimator=parse_set(args.set),
        data=parse_set(args.data, "--data"),
        log_dir=None if args.log_dir == "none" else args.log_dir,
        device=args.device,
        arima=not args.no_arima,
    )
    check_config(config)
    table = forecast_table(config)
    print(f"\n{config.dataset}: {len(config.seeds)} seeds, torch threads {args.threads}\n\n{table}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), forecast, argv)


if __name__ == "__main__":
    sys.exit(main())
