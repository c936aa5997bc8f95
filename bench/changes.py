"""Time and change at a country's scale (issue 18): whole `regiograph diff` and
`check --as-of` commands on generated data, against the plain path.

Rows (each a dict with the keys of :data:`COLUMNS`):

- ``diff`` of two generated datasets (synth seeds 1 and 2 of the same size) as facts
  folders and as built stores, each a fresh process timed with its peak memory
  (``ru_maxrss``), against the plain path: GNU ``diff -r`` of the two folders (lines of
  text, no meaning: no ids, no fields, no findings);
- ``check --as-of YEAR`` (a year in the middle of the data) against ``check`` of the same
  store (the kept assessment: nothing recomputed), both whole commands.

Run alone: ``.venv/bin/python bench/changes.py --triples 1000000`` (writes and builds the
two datasets in a temporary folder first, which takes minutes at 1M). It prints a
Markdown table. bench/run.py can call :func:`rows`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from maps import fmt_run, run_code, table  # noqa: E402  (a script beside this)

#: one regiograph command in this process: its time and peak memory as JSON
RUN_CLI = """
import json, resource, sys, time
t = time.perf_counter()
from cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit as exc:
    if exc.code not in (0, 3, None):
        raise
print(json.dumps({"s": time.perf_counter() - t,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(*args) -> dict:
    return run_code(RUN_CLI, *args)


def prepare(folder: Path, triples: int) -> dict:
    """Two generated datasets (seeds 1 and 2) and their built stores under ``folder``."""
    from graph.synth import write

    out = {}
    for seed in (1, 2):
        facts = folder / f"facts-{seed}"
        write(facts, triples, seed=seed)
        subprocess.run([sys.executable, "-m", "cli", "build", str(facts), "-o",
                        str(folder / f"out-{seed}")], cwd=ROOT, check=True,
                       capture_output=True)
        out[seed] = (facts, next((folder / f"out-{seed}").glob("*.store")))
    return out


def _year_in_the_middle(facts: Path) -> str:
    from graph.loader.facts import load_facts

    loaded = load_facts(facts)
    years = sorted(int(e["period"][k][:4]) for e in loaded.sections["responsibilities"]
                   if e.get("period") for k in e["period"])
    return str(years[len(years) // 2])


def rows(folder: Path, triples: int) -> list[dict]:
    """Every row, on datasets of about ``triples`` triples written into ``folder``."""
    data = prepare(folder, triples)
    (a_facts, a_store), (b_facts, b_store) = data[1], data[2]
    start = time.perf_counter()
    plain = subprocess.run(["diff", "-r", str(a_facts), str(b_facts)], capture_output=True)
    plain_s = time.perf_counter() - start
    lines = plain.stdout.count(b"\n")
    plain_text = f"{plain_s:.1f} s (`diff -r`: {lines:,} lines of text, no ids or findings)"
    out = []
    for what, a, b in (("facts folders", a_facts, b_facts), ("built stores", a_store, b_store)):
        ours = _run("diff", a, b, "--format", "json")
        out.append({"what": f"`diff` of two generated datasets ({what})",
                    "ours": fmt_run(ours), "plain": plain_text, "target": "≤ 10 s"})
    year = _year_in_the_middle(a_facts)
    asof = _run("check", a_store, "--as-of", year, "--format", "json")
    full = _run("check", a_store, "--format", "json")
    out.append({"what": f"`check --as-of {year}` on the store",
                "ours": fmt_run(asof), "plain": f"`check` (kept, no date): {fmt_run(full)}",
                "target": "—"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as folder:
        print(table(rows(Path(folder), args.triples)), flush=True)


if __name__ == "__main__":
    main()
