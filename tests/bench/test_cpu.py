"""The CPU benchmark runs end to end through the app (its figures are not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_cpu

KAILASH_DIR = Path(__file__).resolve().parents[2] / "geodata" / "kailash"


@pytest.mark.skipif(
    not (KAILASH_DIR / "metadata.json").is_file(),
    reason="needs the committed region geodata/kailash",
)
def test_one_round_prints_a_line_per_operation(capsys: pytest.CaptureFixture[str]) -> None:
    # not --warm: each approach first drops the searches kept per network (the cache it reaches)
    assert bench_cpu.main(["--rounds", "1", "--sayings", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for op in bench_cpu.OPERATIONS:  # the call takers' and the officers' (the incident flow)
        (line,) = [x for x in lines if x.split()[0] == op]
        assert "requests: CPU p50" in line and "kB brotli" in line and "SQL statements" in line
