"""Importers: real registers and spreadsheets in as facts folders.

Who is who among the organisations that register rows name: :mod:`.identity`."""

from __future__ import annotations

from .identity import (
    NEAR_THRESHOLD,
    Decision,
    Mention,
    Organisation,
    Resolution,
    ReviewPair,
    normalise_name,
    read_decisions,
    resolve,
    write_review,
)

__all__ = [
    "NEAR_THRESHOLD",
    "Decision",
    "Mention",
    "Organisation",
    "Resolution",
    "ReviewPair",
    "normalise_name",
    "read_decisions",
    "resolve",
    "write_review",
]
