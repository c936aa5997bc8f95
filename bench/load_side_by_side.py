"""Validated YAML load in one process, two versions of the loader side by side.

``python bench/load_side_by_side.py OLD_TREE NEW_TREE DATASET [RUNS]``: each run loads
DATASET with ``load_facts(folder, workers=1)`` in a fresh process per tree, the trees
alternating (the same machine moment for both), and prints the CPU seconds
(``time.process_time``) and MB/s of YAML; then the best of the runs for each tree.
OLD_TREE is a checkout of the older commit, e.g. ``git worktree add --detach /tmp/old
a0083d4``. Issue 17's target: 4 MB/s at 1M triples.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ONE_LOAD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from graph.loader.facts import load_facts
seed = Path(sys.argv[1]) / "data" / "lapland"
load_facts(seed if seed.is_dir() else sys.argv[2], workers=1)  # imports and caches: not timed
start = time.process_time()
facts = load_facts(sys.argv[2], workers=1)
print(time.process_time() - start)
"""


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    trees = {"old": argv[0], "new": argv[1]}
    dataset, runs = argv[2], int(argv[3]) if len(argv) == 4 else 3
    size = sum(p.stat().st_size for p in Path(dataset).rglob("*.yaml"))
    times: dict[str, list[float]] = {name: [] for name in trees}
    for run in range(runs):
        for name, tree in trees.items():
            done = subprocess.run([sys.executable, "-c", ONE_LOAD, tree, dataset],
                                  capture_output=True, text=True, cwd="/")
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                return 1
            seconds = float(done.stdout)
            times[name].append(seconds)
            print(f"{name} run {run + 1}: {seconds:.2f} s CPU, {size / seconds / 1e6:.2f} MB/s",
                  flush=True)
    for name, seconds in times.items():
        best = min(seconds)
        print(f"{name}: best of {runs} {best:.2f} s CPU = {size / best / 1e6:.2f} MB/s "
              f"({size / 1e6:.1f} MB of YAML)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
