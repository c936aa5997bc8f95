"""Positions of a map's nodes, computed in Python when the page is written, and kept.

A map page used to lay itself out in the browser with vis-network's physics: a minute
for 1 000 nodes in software rendering, never for 20 000. Here python-igraph's
Fruchterman–Reingold layout (C, grid-accelerated above :data:`GRID_FROM` nodes) places
every node before the page is written, from a seeded start, so the same facts give the
same picture in every run; the browser only draws.

Positions can be kept with the facts in a layout file (:func:`read_layout`,
:func:`write_layout`: CSV ``id,x,y``, one node a row) and reused: nodes found in it keep
their place, so last year's map and this year's put the same actor in the same place,
and nodes new since then start at the middle of their placed neighbours and are relaxed
with the kept ones pinned (:func:`place`).

Coordinates are in page pixels at zoom 1: a fresh layout is scaled so that the median
edge is :data:`UNIT` long.

>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> pos = place(G)
>>> pos == place(G) and sorted(pos)
['a', 'b', 'c']
>>> place(G, {"a": (0.0, 0.0), "b": (160.0, 0.0)})["b"]
(160.0, 0.0)
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
import statistics
from collections.abc import Iterable
from pathlib import Path

from ..base.files import write_atomic

#: the median edge of a fresh layout, in page pixels at zoom 1
UNIT = 160.0
#: from this many nodes on, the grid variant (repulsion only between near nodes)
GRID_FROM = 1000
#: Fruchterman–Reingold's iterations are bounded to about this many node-steps
WORK = 4_000_000
#: the layout file's header
HEADER = ("id", "x", "y")


class LayoutError(ValueError):
    """A layout file that cannot be read (which file, which line, what would fix it)."""


def _edges(G, index: dict) -> list[tuple[int, int]]:
    """The undirected simple edges of ``G`` as index pairs, in ``G``'s order."""
    seen: set = set()
    out = []
    for u, v in G.edges():
        a, b = index[u], index[v]
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def _iterations(n: int) -> int:
    return max(60, min(500, WORK // max(n, 1)))


def _fr(n: int, edges, start, *, seed: int, pinned: dict | None = None,
        grid: bool | None = None, niter: int | None = None, start_temp=None):
    """igraph's Fruchterman–Reingold from ``start`` with ``pinned`` (index -> (x, y))
    held in place; igraph's random numbers come from a Random(seed) for the call."""
    import igraph as ig

    g = ig.Graph(n=n, edges=edges)
    kwargs = {"seed": None if start is None else [list(p) for p in start],
              "niter": niter or _iterations(n),
              "grid": ("grid" if (n >= GRID_FROM if grid is None else grid) else "nogrid")}
    if start_temp is not None:
        kwargs["start_temp"] = start_temp
    if pinned:
        inf = float("inf")
        minx, maxx, miny, maxy = [-inf] * n, [inf] * n, [-inf] * n, [inf] * n
        for i, (x, y) in pinned.items():
            minx[i] = maxx[i] = x
            miny[i] = maxy[i] = y
        kwargs.update(minx=minx, maxx=maxx, miny=miny, maxy=maxy)
    ig.set_random_number_generator(random.Random(seed))
    try:
        return g.layout_fruchterman_reingold(**kwargs).coords
    finally:
        ig.set_random_number_generator(random)


def _median_edge(coords, edges) -> float:
    lengths = [math.dist(coords[a], coords[b]) for a, b in edges]
    lengths = [x for x in lengths if x > 0]
    return statistics.median(lengths) if lengths else 1.0


def place(G, fixed: dict | None = None, *, seed: int = 7) -> dict:
    """node -> (x, y) for every node of ``G`` (any networkx graph), in page pixels.

    ``fixed`` (node -> (x, y), e.g. from a layout file) are kept exactly; the other
    nodes start at the mean of their placed neighbours (nodes reached from no placed
    node are laid out on their own, to the right of the rest) and are relaxed with the
    fixed ones pinned. Without ``fixed``, a fresh layout from a seeded start.
    Deterministic for the same graph, node order and ``seed``. Cost: O(|V| + |E|) per
    iteration with the grid (about 1 s at 30 000 nodes, 100 iterations), O(|V|²) per
    iteration below :data:`GRID_FROM` nodes.

    >>> import networkx as nx
    >>> pos = place(nx.star_graph(4))
    >>> round(math.dist(pos[0], pos[1]) / UNIT, 1)
    1.0
    """
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    edges = _edges(G, index)
    kept = {index[k]: (float(x), float(y)) for k, (x, y) in (fixed or {}).items()
            if k in index}
    if len(kept) == n:
        return {nodes[i]: kept[i] for i in range(n)}
    if not kept:
        coords = _fresh(n, edges, seed)
        scale = UNIT / _median_edge(coords, edges)
        return {node: (round(x * scale, 1), round(y * scale, 1))
                for node, (x, y) in zip(nodes, coords, strict=True)}
    # kept positions in layout units (the median edge about 1)
    start = _near_neighbours(n, edges, {i: (x / UNIT, y / UNIT) for i, (x, y) in kept.items()},
                             seed)
    # relax only the new nodes among their placed neighbours: igraph's bounds (the pins)
    # turn the grid off, which costs O(|V|²) per iteration on the whole graph
    new = [i for i in range(n) if i not in kept]
    near = set(new) | {j for a, b in edges for j in (a, b) if a not in kept or b not in kept}
    local = {i: k for k, i in enumerate(sorted(near))}
    sub = [(local[a], local[b]) for a, b in edges if a in local and b in local]
    pinned = {local[i]: start[i] for i in local if i in kept}
    coords = _fr(len(local), sub, [start[i] for i in sorted(near)], seed=seed, pinned=pinned,
                 niter=50, start_temp=0.03)
    out = {}
    for i, node in enumerate(nodes):
        out[node] = kept[i] if i in kept else (round(coords[local[i]][0] * UNIT, 1),
                                                round(coords[local[i]][1] * UNIT, 1))
    return out


def _fresh(n: int, edges, seed: int):
    # igraph's own random start, from the seeded generator: a start spread wider makes
    # the grid variant several times slower
    return _fr(n, edges, None, seed=seed)


def _near_neighbours(n: int, edges, kept: dict, seed: int) -> list:
    """Starting points: kept nodes where they are, every other node at the mean of its
    already placed neighbours (breadth first from the kept ones) plus a small turn of a
    golden-angle spiral, so that siblings do not start on one point; nodes no kept node
    reaches are laid out on their own and set to the right of the rest."""
    adjacent: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        adjacent[a].append(b)
        adjacent[b].append(a)
    pos: list = [None] * n
    for i, p in kept.items():
        pos[i] = p
    golden = math.pi * (3 - math.sqrt(5))
    around: dict = {}
    frontier = sorted(kept)
    while frontier:
        following = []
        for i in frontier:
            for j in adjacent[i]:
                if pos[j] is not None:
                    continue
                placed = [pos[k] for k in adjacent[j] if pos[k] is not None]
                cx = sum(p[0] for p in placed) / len(placed)
                cy = sum(p[1] for p in placed) / len(placed)
                k = around[i] = around.get(i, 0) + 1
                r = 0.35 * math.sqrt(k)
                pos[j] = (cx + r * math.cos(k * golden), cy + r * math.sin(k * golden))
                following.append(j)
        frontier = following
    rest = [i for i in range(n) if pos[i] is None]
    if rest:  # new components: their own layout, beside the kept drawing
        local = {i: k for k, i in enumerate(rest)}
        sub = [(local[a], local[b]) for a, b in edges if a in local and b in local]
        coords = _fresh(len(rest), sub, seed)
        scale = 1 / _median_edge(coords, sub)
        right = max(p[0] for p in pos if p is not None) + 2
        low = min(c[0] for c in coords) * scale
        top = min(p[1] for p in pos if p is not None)
        low_y = min(c[1] for c in coords) * scale
        for i in rest:
            x, y = coords[local[i]]
            pos[i] = (right + x * scale - low, top + y * scale - low_y)
    return pos


# --------------------------------------------------------------------------- the file


def read_layout(path: str | os.PathLike) -> dict:
    """node id -> (x, y) from a layout file (CSV with the header ``id,x,y``).

    Raises LayoutError naming the file and line of a row that is not an id and two
    numbers. Cost: O(rows).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "layout.csv"
    >>> _ = write_layout(p, {"a": (1.0, -2.5)})
    >>> read_layout(p)
    {'a': (1.0, -2.5)}
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LayoutError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                          "a layout file is CSV with the columns id,x,y") from None
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        return {}
    if tuple(h.strip() for h in header) != HEADER:
        raise LayoutError(f"{path}, line 1: the header is {','.join(header)!r}; a layout "
                          "file starts with the line id,x,y")
    out = {}
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        try:
            ident, x, y = row
            point = (float(x), float(y))
        except ValueError:
            raise LayoutError(f"{path}, line {line}: expected an id and two numbers "
                              f"(id,x,y), found {','.join(row)!r}") from None
        if not all(math.isfinite(v) for v in point):
            raise LayoutError(f"{path}, line {line}: the position of {ident!r} is not a "
                              "finite number")
        out[ident] = point
    return out


def write_layout(path: str | os.PathLike, positions: dict, kept: Iterable = ()) -> Path:
    """Write ``positions`` (node -> (x, y)) as a layout file, atomically: the rows of
    ``kept`` (an earlier file's ids, in its order) first, then new ids sorted, so that
    a file under version control changes only where the facts did. Cost: O(rows)."""
    order = [k for k in kept if k in positions]
    known = set(order)
    order += sorted((k for k in positions if k not in known), key=str)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for ident in order:
        x, y = positions[ident]
        writer.writerow([ident, _number(x), _number(y)])
    return write_atomic(path, buffer.getvalue())


def _number(value: float) -> str:
    value = round(float(value), 1)
    return str(int(value)) if value == int(value) else str(value)
