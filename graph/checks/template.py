"""The small template language of a check's ``# explain:`` and ``# disagree:`` headers.

``{expr}`` is replaced by the values of ``expr`` (names for people, ids in JSON, several
joined with "and"); ``expr`` is a column of the check's rows (``strategy``) or a lookup
applied to one (``implementers(priority)``, see graph.checks.context). A part in square
brackets is kept only when each ``{expr}`` and ``{?expr}`` in it has a value and each
``{!expr}`` has none; ``{?expr}`` and ``{!expr}`` print nothing. Brackets may nest.

>>> values = {"s": ["st"], "nets": [], "parts": ["p1", "p2"]}
>>> text, refs = fill("No actor monitors {s}[ or any of its priorities{?parts}]"
...                   "[; it is served by {nets}].", values.get)
>>> text, refs
('No actor monitors {v0} or any of its priorities.', {'v0': ['st']})
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
PLACEHOLDER = re.compile(r"\{([!?]?)([^{}!?][^{}]*)\}")


def expressions(template: str) -> list[str]:
    """Every expression a template names, in order of first use."""
    return list(dict.fromkeys(expr for _, expr in PLACEHOLDER.findall(template)))


def fill(template: str, evaluate: Callable[[str], list[str] | None]
         ) -> tuple[str, dict[str, list[str]]]:
    """Resolve the optional parts of ``template`` with ``evaluate`` (expression -> its
    values) and name its placeholders ``v0``, ``v1``…: a ``str.format`` template and
    the values of each placeholder."""
    cache: dict[str, list[str]] = {}

    def value(expr: str) -> list[str]:
        if expr not in cache:
            cache[expr] = list(evaluate(expr) or ())
        return cache[expr]

    def keep(part: str) -> bool:
        return all(bool(value(expr)) == (mode != "!") for mode, expr in PLACEHOLDER.findall(part))

    text = template
    while "[" in text:
        resolved = _SEGMENT.sub(lambda m: m.group(1) if keep(m.group(1)) else "", text)
        if resolved == text:
            raise ValueError(f"unbalanced [ ] in the template {template!r}")
        text = resolved
    keys: dict[str, str] = {}

    def name(m: re.Match) -> str:
        mode, expr = m.groups()
        if mode:
            return ""
        keys.setdefault(expr, f"v{len(keys)}")
        return "{" + keys[expr] + "}"

    text = PLACEHOLDER.sub(name, text)
    return text, {key: value(expr) for expr, key in keys.items()}
