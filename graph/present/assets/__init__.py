"""The front end's files: the map page's template, CSS and JavaScript, the report's CSS.

They live as files rather than Python strings so that editors, linters and
``node --check`` see them as what they are; the pages still carry them inline, so a
page opens offline. Read them with :func:`read`, which goes through
``importlib.resources`` and so works from a checkout, a wheel or a zip.

>>> "vis.Network" in read("map.js")
True
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["read"]


@cache
def read(name: str) -> str:
    """The text of asset ``name`` (e.g. ``"map.js"``), read as UTF-8 once per process.

    Raises FileNotFoundError for a name that is not an asset.
    """
    return (resources.files(__name__) / name).read_text(encoding="utf-8")
