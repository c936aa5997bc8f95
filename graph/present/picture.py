"""Static pictures of a map (SVG or PNG) for reports and slides, drawn with matplotlib.

A picture is drawn from the same nodes, edges and legend data as the interactive page
(graph.present.maps.render builds them once), so it has the same layout, colours,
shapes, title and legend. Names are set as text: in SVG matplotlib writes them as
escaped XML text (``<`` as ``&lt;``), never as markup. The bytes are the same for the
same facts (no date in the file, fixed ids).

>>> from graph.present.maps import render
>>> import networkx as nx
>>> G = nx.MultiDiGraph(); _ = G.add_edge("a", "b", kind="member")
>>> render(G, title="<b>x</b>", format="svg").data[:5]
b'<?xml'
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from ..base.files import write_atomic

FORMATS = ("svg", "png")
#: vis-network shape -> matplotlib marker
MARKERS = {"dot": "o", "diamond": "D", "hexagon": "h", "square": "s", "star": "*",
           "triangle": "^", "triangleDown": "v"}
#: labels drawn on a picture of more nodes than this: the best connected only
MAX_LABELS = 60


@dataclass
class Picture:
    """A rendered picture: ``data`` is the file's bytes, ``format`` "svg" or "png"."""

    data: bytes
    format: str
    title: str = ""
    nodes: int = 0
    edges: int = 0

    def save(self, path):
        """Write the picture to ``path`` atomically; returns the path."""
        return write_atomic(path, self.data)


def draw(nodes: list, edges: list, meta: dict, title: str, fmt: str) -> Picture:
    """The picture of a map's ``nodes`` and ``edges`` (as graph.present.maps builds them
    for the page: positions, colours, shapes, labels) with its title, subtitle and
    legend. Nodes the page hides at first (an overview's members) are left out.
    Cost: O(|V| + |E|) in matplotlib (about 3 s at 30 000 nodes for PNG)."""
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rcParams["svg.fonttype"] = "none"  # text stays text: searchable, escaped XML
    rcParams["svg.hashsalt"] = "regiograph"  # the same ids in every run
    shown = [n for n in nodes if not n.get("hidden")]
    where = {n["id"]: (n["x"], -n["y"]) for n in shown}  # the page's y grows downwards
    color_of = "colorCountry" if meta.get("color") == "country" else "colorKind"
    fig = Figure(figsize=(16, 10.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.02, 0.76, 0.86))
    ax.set_axis_off()
    ax.set_aspect("equal", adjustable="datalim")
    drawn = [e for e in edges if e["from"] in where and e["to"] in where]
    many = len(shown) > 2000
    segments = [(where[e["from"]], where[e["to"]]) for e in drawn]
    if segments:
        ax.add_collection(LineCollection(
            segments, colors=[e["color"] if isinstance(e["color"], str) else "#999999"
                              for e in drawn],
            linewidths=[min(6.0, e.get("width", 1.0) * (0.3 if many else 0.8)) for e in drawn],
            linestyles=["--" if e.get("dashes") else "-" for e in drawn],
            alpha=0.5 if many else 0.8, zorder=1))
    top = max((n.get("value") or 0 for n in shown), default=1) or 1
    scale = 10 if many else 120 if len(shown) < 60 else 60
    area = {n["id"]: scale * (1 + 9 * (n.get("value") or 0) / top) for n in shown}  # pt²
    for shape in sorted({n["shape"] for n in shown}):
        group = [n for n in shown if n["shape"] == shape]
        ax.scatter([where[n["id"]][0] for n in group], [where[n["id"]][1] for n in group],
                   s=[area[n["id"]] for n in group],
                   c=[n[color_of] for n in group], marker=MARKERS.get(shape, "o"),
                   edgecolors=[(n.get("color") or {}).get("border", "#555555") for n in group],
                   linewidths=[(n.get("borderWidth") or 1.0) * 0.6 for n in group],
                   zorder=2)
    labelled = shown if len(shown) <= MAX_LABELS * 2 else sorted(
        shown, key=lambda n: -(n.get("value") or 0))[:MAX_LABELS]
    for n in labelled:
        x, y = where[n["id"]]
        ax.annotate(n["label"], (x, y), xytext=(0, -(math.sqrt(area[n["id"]]) / 2 + 2)),
                    textcoords="offset points",
                    ha="center", va="top", parse_math=False, color="#222222", zorder=1.5,
                    fontsize=10 if len(shown) < 60 else 8 if len(shown) < 200 else 6.5,
                    # a light box, not a stroke: stroked text is drawn as paths in SVG
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.75})
    ax.margins(x=0.14, y=0.07)  # room for the names at the edges
    # names are text, never mathtext ("$" is a dollar) nor markup
    fig.text(0.01, 0.975, title, fontsize=15, fontweight="bold", va="top", parse_math=False)
    fig.text(0.01, 0.935, meta.get("subtitle") or "", fontsize=10, color="#555555", va="top",
             parse_math=False)
    handles, labels = [], []
    for k in meta.get("kinds", []):
        handles.append(Line2D([], [], linestyle="", marker=MARKERS.get(k["shape"], "o"),
                              markersize=8, markerfacecolor=k["color"],
                              markeredgecolor="#555555"))
        labels.append(f"{k['key']} ({k['count']})")
    for k in meta.get("edgeKinds", []):
        handles.append(Line2D([], [], color=k["color"], linewidth=2.5,
                              linestyle="--" if k.get("dashed") else "-"))
        labels.append(f"{k['key'].replace('_', ' ')} ({k['count']})")
    for b in meta.get("bases", []):
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=8,
                              markerfacecolor="white", markeredgecolor=b["color"],
                              markeredgewidth=2))
        labels.append(f"finding: {b['text']} ({b['count']})")
    if handles:
        legend = fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.78, 0.9),
                            frameon=False, fontsize=9.5, title="Nodes, ties and findings",
                            title_fontsize=10, alignment="left")
        legend.set_in_layout(False)
        for text in legend.get_texts():
            text.set_parse_math(False)
    fig.text(0.79, 0.03, f"Size: {meta.get('size') or 'number of ties'}."
             + (f" Names: the {MAX_LABELS} best connected." if labelled is not shown else ""),
             fontsize=8.5, color="#666666", parse_math=False)
    out = io.BytesIO()
    if fmt == "svg":
        fig.savefig(out, format="svg", metadata={"Date": None})
    else:
        fig.savefig(out, format="png", metadata={"Software": None})
    return Picture(out.getvalue(), fmt, title, len(shown), len(drawn))
