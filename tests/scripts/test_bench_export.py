"""scripts/bench_export.py end to end with a tiny budget, and its one-line user error."""

import pytest

from tests.scripts.script_runner import check_user_error, load_script

pytest.importorskip("onnxruntime", reason="the export extra: pip install '.[export]'")
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
bench_export = load_script("bench_export")


def test_table_of_latencies(capsys):
    assert bench_export.main(["--cells", "gru", "--hidden-size", "8", "--rounds", "1", "--steps", "5"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| gru |"))
    assert len(row.split("|")) == 10  # cell, two export times, three latencies, two ratios
    assert "predict (µs/step) | torchscript (µs/step) | onnxruntime (µs/step)" in out


def test_unknown_cell_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_user_error(bench_export.main, ["--cells", "transformer"], "Unknown cell type 'transformer'", capsys)
