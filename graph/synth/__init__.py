"""Synthetic facts datasets of a chosen size with planted findings (:mod:`.generator`)."""

from __future__ import annotations

from .generator import generate, write

__all__ = ["generate", "write"]
