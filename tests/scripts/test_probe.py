"""scripts/probe.py end to end in a subprocess on a tiny trained T-maze run (bad input: test_user_errors.py)."""

from __future__ import annotations

import subprocess

from tests.scripts.script_runner import check_user_error, load_script, run_script


def probe(*args: str) -> subprocess.CompletedProcess:
    return run_script("probe", *args)


def test_probe_reads_the_cue_and_prints_the_table(finished_run):
    done = probe(str(finished_run), "--episodes", "8")
    assert done.returncode == 0, done.stderr
    assert "target cue" in done.stdout
    rows = {
        line.split("|")[1].strip(): float(line.split("|")[2])
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith(("| linear probe", "| ---"))
    }
    assert set(rows) == {"agent's memory (observations so far)", "memory cut (current observation)", "majority class"}
    assert all(0.0 <= score <= 1.0 for score in rows.values())


def test_unknown_target_is_one_line(finished_run, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main = load_script("probe").main
    check_user_error(main, [str(finished_run), "--targets", "nope"], "Unknown targets ['nope']", capsys)
