"""The one command-line convention of every script: shared flags, ``--set KEY=VALUE``, and one error path.

Every script is ``main(argv) -> int`` built as::

    parser = make_parser(__doc__)             # --set, --seed, --device, --threads, one-line errors
    parser.add_argument(...)                  # the script's own flags, each with help text
    return run_script(parser, build_and_run, argv)

``run_script`` parses, applies ``--threads``, checks ``--device``, and turns a user error (a bad value, a missing
file, a missing optional package) into one line on stderr and exit status 2; Ctrl-C becomes status 130. A
traceback is a bug.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from agents.experiment.config import parse_value
from agents.experiment.errors import ConfigError, unknown_key

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DEVICES = ("auto", "cpu", "cuda")
# What a user can get wrong; anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, FileNotFoundError, FileExistsError, ImportError)


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line (``prog: error: ...``) and exit status 2, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}")
        return value

    parse.__name__ = f"integer >= {low}"  # what argparse calls the type in its messages
    return parse


positive_int = _int_at_least(1)
"""argparse type: an integer >= 1."""
non_negative_int = _int_at_least(0)
"""argparse type: an integer >= 0."""


def make_parser(
    doc: str | None,
    *,
    seed: int | None = 0,
    seed_help: str = "random seed",
    device: str | None = "cpu",
    threads: int | None = 1,
    set_help: str | None = "override a config key; repeat for several",
) -> ArgumentParser:
    """A parser with the shared flags: ``--set`` (repeatable), ``--seed``, ``--device``, ``--threads``.

    ``None`` for ``seed``, ``device`` or ``threads`` leaves that flag unset by default (the script's config decides).
    """
    parser = ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if set_help is not None:  # a script with nothing to override has no --set
        parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=set_help)
    default = "" if seed is None else f" (default {seed})"
    parser.add_argument("--seed", type=non_negative_int, default=seed, help=seed_help + default)
    default = "" if device is None else f" (default {device})"
    parser.add_argument(
        "--device", choices=DEVICES, default=device, help=f"torch device; cuda is an error where there is none{default}"
    )
    default = "" if threads is None else f" (default {threads}: fastest for small models)"
    parser.add_argument("--threads", type=positive_int, default=threads, help=f"torch CPU threads{default}")
    return parser


def parse_set(items: list[str], flag: str = "--set", sep: str = "=", example: str = "n_steps=64") -> dict[str, Any]:
    """``["n_steps=64", "net_arch=[64, 64]"]`` -> ``{"n_steps": 64, "net_arch": [64, 64]}``; values are read as YAML.

    A key given twice is an error rather than a silent choice of one of them. ``sep=":"`` reads rl-zoo3's
    ``--env-kwargs corridor_length:10``.
    """
    texts: dict[str, str] = {}
    for item in items:
        key, found, text = item.partition(sep)
        key = key.strip()
        if not found or not key:
            raise ConfigError(f"{flag} {item!r}: expected KEY{sep}VALUE, e.g. {example}")
        if key in texts:
            both = f"{key}{sep}{texts[key]} and {key}{sep}{text}"
            raise ConfigError(f"{flag} {key} is given twice ({both}): give it once")
        texts[key] = text
    return {key: parse_value(text) for key, text in texts.items()}


def check_keys(values: Mapping[str, Any], known: list[str], where: str) -> None:
    """Raise a ConfigError with a "did you mean" for the first key of ``values`` not in ``known``."""
    for key in values:
        if not known:
            raise ConfigError(f"Unknown key {key!r} in {where}: it takes none")
        if key not in known:
            raise unknown_key(key, sorted(known), where)


def check_arguments(values: Mapping[str, Any], function: Callable[..., Any], where: str) -> None:
    """Raise a ConfigError unless every key of ``values`` is a keyword parameter of ``function``."""
    check_keys(values, list(inspect.signature(function).parameters), where)


def check_device(device: str) -> str:
    """``device`` if this machine has it; asking for CUDA where there is none is an error, never a silent CPU run."""
    import torch

    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: CUDA is not available on this machine; use --device cpu or auto")
    return device


def check_free(path: str | Path, flag: str = "--out") -> Path:
    """``path`` if nothing is there yet (or an empty folder): results are never written over silently."""
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FileExistsError(f"{flag} {str(path)!r} already exists: choose another")
    return path


def run_script(
    parser: ArgumentParser, body: Callable[[argparse.Namespace], int | None], argv: list[str] | None = None
) -> int:
    """Parse ``argv``, apply ``--threads`` and check ``--device``, then run ``body``; user errors exit with 2."""
    args = parser.parse_args(argv)
    try:
        import torch

        if args.threads is not None:
            torch.set_num_threads(args.threads)
        if args.device is not None:
            check_device(args.device)
        return body(args) or 0
    except USER_ERRORS as error:
        message = " ".join(str(error).split())  # one line, whatever the exception's text
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
