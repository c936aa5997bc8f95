"""SPARQL kept as files: ``.rq`` with a comment header (title, description, columns).

The header is the query's documentation: ``# title: …``, ``# description: …``,
``# columns: …`` and ``# param NAME: …`` lines (and any other ``# key: …`` field, like
the projection's ``# kinds:``), each continued by following comment lines indented by
more than one space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.schema import ontology_dir

_KEY = re.compile(r"#\s?(\w+(?:\s+\w+)?):\s?(.*)")


@dataclass(frozen=True)
class QueryFile:
    """One named query: its name (file stem), header fields and SPARQL text."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    columns: str = ""
    params: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    fields: dict[str, str] = field(default_factory=dict)  # every header field, as written

    def words(self, key: str) -> list[str]:
        """A header field as a list of words (``# kinds: took_part, organised``)."""
        return [w for w in re.split(r"[\s,]+", self.fields.get(key, "")) if w]


def parse(name: str, text: str, path: Path | None = None) -> QueryFile:
    """Read the header of a query file."""
    fields: dict[str, str] = {}
    params: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _KEY.match(line)
        if m and (not m.group(1).count(" ") or m.group(1).startswith("param ")):
            current = m.group(1)
            fields[current] = m.group(2).strip()
        elif current and line.startswith("#  "):
            fields[current] += " " + line[1:].strip()
    for key in [k for k in fields if k.startswith("param ")]:
        params[key.split()[1]] = fields[key]
    return QueryFile(name, text, fields.get("title", ""), fields.get("description", ""),
                     fields.get("columns", ""), params, path, fields)


def load_folder(folder: str) -> dict[str, QueryFile]:
    """Every ``*.rq`` file of ``ontology/<folder>`` by name, sorted."""
    base = ontology_dir() / folder
    return {
        p.stem: parse(p.stem, p.read_text("utf-8"), p) for p in sorted(base.glob("*.rq"))
    }
