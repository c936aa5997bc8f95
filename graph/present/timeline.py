"""The report's timeline: findings and ties per year as a small picture (SVG, drawn with
matplotlib) and as a table (HTML and Markdown), from :func:`graph.timeline.timeline`'s
plain data."""

from __future__ import annotations

import io
import re
from html import escape

from ..base.text import md_text

#: one colour per check family, as in the maps and the findings' badges
_PALETTE = ("#c0392b", "#e67e22", "#8e44ad", "#2c7fb8", "#16a085", "#7f8c8d", "#d35400",
            "#27ae60")


def timeline_svg(data: dict, title: str = "Findings and ties per year") -> str:
    """An ``<svg>`` element (no XML prolog: to be inlined in HTML) of ``data``: the
    findings of each check as of each year, stacked, above the ties that held each year.
    Text stays text (searchable, escaped by matplotlib's SVG writer).
    Cost: one matplotlib figure, ~0.3 s.

    >>> svg = timeline_svg({"years": [2007, 2008], "ties": {"project": [1, 2]},
    ...                     "undated": {}, "findings": {"gap.unmonitored": [0, 1]}})
    >>> svg.startswith("<svg") and "gap.unmonitored" in svg
    True
    """
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rcParams["svg.fonttype"] = "none"
    rcParams["svg.hashsalt"] = "regiograph"  # the same ids in every run
    rcParams["text.parse_math"] = False  # a check's name is text, never mathtext
    years = data["years"]
    findings = data.get("findings")
    panels = 2 if findings else 1
    fig = Figure(figsize=(9, 2.6 * panels + 0.6), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    if findings:
        ax = axes[0]
        bottom = [0] * len(years)
        for n, (check, counts) in enumerate(findings.items()):
            ax.bar(years, counts, bottom=bottom, color=_PALETTE[n % len(_PALETTE)],
                   label=check, width=0.8)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        ax.set_ylabel("findings as of the year")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
    ax = axes[-1]
    for n, (kind, counts) in enumerate(data.get("ties", {}).items()):
        ax.plot(years, counts, marker="o", markersize=3, color=_PALETTE[n % len(_PALETTE)],
                label=f"{kind} ({data.get('undated', {}).get(kind, 0)} without a period)")
    ax.set_ylabel("ties that held")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    marked = data.get("marked")
    if marked in years:  # the year a report --as-of is of
        for axis in axes:
            axis.axvline(marked, color="#333333", linestyle=":", linewidth=1.2)
        ax.annotate(f"as of {marked}", (marked, 0), xytext=(3, 3),
                    textcoords="offset points", fontsize=7, color="#333333")
    ax.set_xticks(years if len(years) <= 20 else years[::max(1, len(years) // 15)])
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    fig.subplots_adjust(left=0.08, right=0.72, top=0.9, bottom=0.14)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})  # no date: same bytes
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def timeline_rows(data: dict) -> tuple[list[str], list[list[str]]]:
    """The table of ``data``: a header and one row per year (findings per check, then
    ties per kind)."""
    checks = list(data.get("findings") or {})
    kinds = list(data.get("ties") or {})
    header = ["year", *checks, *kinds]
    rows = []
    for n, year in enumerate(data["years"]):
        rows.append([str(year), *(str(data["findings"][c][n]) for c in checks),
                     *(str(data["ties"][k][n]) for k in kinds)])
    return header, rows


def timeline_html(data: dict) -> str:
    """The timeline section of the HTML report: picture, table and what was left out."""
    if not data["years"]:
        return f'<p class="timeline">{escape(data.get("why") or "")}</p>'
    header, rows = timeline_rows(data)
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    marked = str(data.get("marked"))
    body = "".join(("<tr class=\"as-of\">" if row[0] == marked else "<tr>")
                   + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    said = "".join(f"<p>{escape(n)}</p>" for n in _notes(data))
    # matplotlib's ids are salted and fixed; the picture is inert markup (no script)
    svg = re.sub(r"<script\b.*?</script>", "", timeline_svg(data), flags=re.S)
    return (f'<div class="timeline">{svg}</div>{said}'
            f'<table class="timeline"><tr>{head}</tr>{body}</table>')


def timeline_markdown(data: dict) -> list[str]:
    """The timeline section of the Markdown report, as lines."""
    if not data["years"]:
        return [md_text(data.get("why") or ""), ""]
    header, rows = timeline_rows(data)
    out = ["| " + " | ".join(md_text(h) for h in header) + " |",
           "|" + "---|" * len(header)]
    marked = str(data.get("marked"))
    out += ["| " + " | ".join(f"**{c}**" if row[0] == marked else c for c in row) + " |"
            for row in rows]
    out.append("")
    for note in _notes(data):
        out += [md_text(note), ""]
    return out


def _notes(data: dict) -> list[str]:
    """The sentences under the timeline: ties without a period, how ties were counted,
    what was cut or left out and why."""
    undated = ", ".join(f"{n} {k}" for k, n in data.get("undated", {}).items())
    notes = [f"Without a period (counted in no year): {undated}."] if undated else []
    return notes + [note[0].upper() + note[1:] + "." for note in
                    [*data.get("notes", ()), data.get("why") or ""] if note]
