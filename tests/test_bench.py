"""`make bench` runs end to end (a small size, one run, a short limit for the plain path)
and writes the table and the targets with numbers in them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_writes_the_table(tmp_path: Path):
    out = tmp_path / "results.md"
    env = {**os.environ, "BENCH_SIZES": "3000", "BENCH_RUNS": "1", "BENCH_PLAIN_TIMEOUT": "3",
           "BENCH_IMPORT_ROWS": "500", "BENCH_BROWSER": "0"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text("utf-8")
    assert text.strip() == done.stdout.strip()
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| ")]
    rows = [r for r in rows if len(r) == 10]  # the main table (the targets have 3 columns)
    stages = [r[0].lstrip("| ") for r in rows]
    for stage in ("YAML → validated facts", "facts → store (memory)",
                  "facts → store (disk, build)", "N-Triples file → store",
                  "check overlap.responsibility", "check gap.cross-border-one-sided",
                  "all checks, findings built", "actor lookup (actor-tables.rq)",
                  "projection → networkx", "broker measure", "map (up to 5 000 nodes)",
                  "import fi-structural-funds, 500 rows",
                  *(f"`regiograph {c}` (whole command)"
                    for c in ("build", "info", "check", "report", "query"))):
        assert stage in stages, stage
    time_cell = re.compile(r"^(\d+\.\d (ms)|\d+\.\d\d s)$")
    for r in rows[1:]:
        if r[0].lstrip("| ").startswith(("YAML", "facts", "N-Triples", "check", "all",
                                         "actor", "projection", "broker", "map",
                                         "`regiograph")):
            assert time_cell.match(r[2]), r  # ours always finishes, with a time
    checks = [r for r in rows if r[0].lstrip("| ").startswith("check ")]
    assert len(checks) == 7 and not any("rows differ" in r[-1] for r in checks)
    assert "| import ≥ 20 000 rows/s (500 rows) |" in text
    assert "| facts → store ≤ 5 s |" in text and "| 5 000-node map written ≤ 1 s |" in text
    for target in ("`build` ≤ 30 s", "`info` ≤ 0.5 s", "`check` ≤ 2 s", "`report` ≤ 10 s",
                   "`query` ≤ 0.5 s", "`build` ≤ 1 GB"):
        assert f"| {target} | " in text, target
    # the maps' and the changes' tables, after the rest
    assert "Maps (issue 17, bench/maps.py)" in text and "| `map --view actors` |" in text
    assert "Time and change (issue 18, bench/changes.py)" in text
    assert "| `diff` of two generated datasets (built stores) |" in text
    assert "Push (issue 19, bench/push.py)" in text
    assert "| `push` again: the graphs replaced" in text or "Skipped: Virtuoso 7 is not" in text
