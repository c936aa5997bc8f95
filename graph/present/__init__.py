"""What people read: names (:mod:`.labels`), the report (:mod:`.report`), the maps
(:mod:`.maps`, imported on first use: networkx and jinja2 take a while to import), pandas
views (:mod:`.frames`) and the front end's files (:mod:`.assets`)."""

from __future__ import annotations

from ..base.lazy import lazy_names
from .frames import Findings, entities_frame
from .labels import Labels, notes
from .report import report_html, report_markdown, to_json

__getattr__ = lazy_names(__name__, {name: ".maps" for name in (
    "MapError", "MapPage", "MapTooLarge", "dataset_map", "render", "write_gexf")})

__all__ = [
    "Findings",
    "Labels",
    "MapError",
    "MapPage",
    "MapTooLarge",
    "dataset_map",
    "entities_frame",
    "notes",
    "render",
    "report_html",
    "report_markdown",
    "to_json",
    "write_gexf",
]
