"""The command-line convention: --set parsing, one-line errors with exit status 2, device and key checks."""

from __future__ import annotations

import pytest

from agents.experiment.cli import (
    check_arguments,
    check_device,
    check_free,
    check_keys,
    make_parser,
    parse_set,
    run_script,
)
from agents.experiment.errors import ConfigError


def test_parse_set_reads_typed_values_and_repeats():
    assert parse_set(["n_steps=64", "net_arch=[32, 32]", "target_kl=null", "normalize=true", "lr=1e-3"]) == {
        "n_steps": 64,
        "net_arch": [32, 32],
        "target_kl": None,
        "normalize": True,
        "lr": 1e-3,
    }
    assert parse_set(["cell=lstm", "name=a=b"]) == {"cell": "lstm", "name": "a=b"}


def test_parse_set_errors():
    with pytest.raises(ConfigError, match=r"--set 'n_steps': expected KEY=VALUE"):
        parse_set(["n_steps"])
    with pytest.raises(ConfigError, match=r"--set gamma is given twice \(gamma=0.9 and gamma=0.99\)"):
        parse_set(["gamma=0.9", "gamma=0.99"])
    with pytest.raises(ConfigError, match=r"--data '=3': expected KEY=VALUE"):
        parse_set(["=3"], "--data")


def test_parser_errors_are_one_line_with_status_2(capsys):
    parser = make_parser("doc")
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["--threads", "0"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "argument --threads: expected an integer >= 1, got '0'" in err


def test_every_shared_flag_has_help():
    parser = make_parser("doc")
    shared = [action for action in parser._actions if action.dest in ("set", "seed", "device", "threads")]
    assert len(shared) == 4
    assert all(action.help for action in shared)
    assert make_parser("doc", set_help=None).parse_args([]).__dict__.get("set") is None


def test_cuda_is_an_error_where_there_is_none():
    import torch

    if torch.cuda.is_available():
        assert check_device("cuda") == "cuda"
    else:
        with pytest.raises(ConfigError, match="--device cuda: CUDA is not available on this machine"):
            check_device("cuda")
    assert check_device("cpu") == "cpu"


def test_key_checks_suggest_the_closest():
    check_keys({"hidden_size": 8}, ["hidden_size", "lr"], "the estimator")
    with pytest.raises(ConfigError, match=r"Unknown key 'hiden_size' in the estimator \(did you mean hidden_size\?\)"):
        check_keys({"hiden_size": 8}, ["hidden_size", "lr"], "the estimator")

    def generator(n_train: int = 1, T: int = 2) -> None: ...

    check_arguments({"T": 3}, generator, "the data")
    with pytest.raises(ConfigError, match="Unknown key 'n_test' in the data"):
        check_arguments({"n_test": 3}, generator, "the data")
    with pytest.raises(ConfigError, match="Unknown key 'x' in loader: it takes none"):
        check_arguments({"x": 1}, lambda: None, "loader")


def test_check_free_never_overwrites(tmp_path):
    assert check_free(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "file.gif").write_bytes(b"x")
    with pytest.raises(FileExistsError, match=r"--gif .*file.gif' already exists"):
        check_free(tmp_path / "file.gif", "--gif")


def test_run_script_turns_user_errors_into_one_line(capsys):
    parser = make_parser("doc")

    def body(args):
        raise ValueError("first line\nsecond line")

    assert run_script(parser, body, []) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error: first line second line" in err

    def interrupted(args):
        raise KeyboardInterrupt

    assert run_script(parser, interrupted, []) == 130

    def bug(args):
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):  # a bug keeps its traceback
        run_script(parser, bug, [])
