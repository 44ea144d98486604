"""scripts/bench_masking.py end to end with a tiny budget, and its one-line user error."""

from tests.scripts.script_runner import check_user_error, load_script

bench_masking = load_script("bench_masking")


def test_three_agents_in_a_table(capsys):
    assert bench_masking.main(["--repeats", "1", "--timesteps", "512", "--episodes", "2"]) == 0
    out = capsys.readouterr().out
    for label in ("ours (GRU), masked", "ours (GRU), unmasked", "sb3-contrib MaskablePPO (memoryless)"):
        assert f"| {label} | " in out
    assert "pomdp/MaskedRecall-v0, seeds [0]" in out


def test_unknown_env_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["--env", "pomdp/MaskRecall-v0"]
    check_user_error(bench_masking.main, args, "Unknown env id 'pomdp/MaskRecall-v0'", capsys)
