"""Names of a subpackage that are imported only when first used."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` (PEP 562) for ``package``: each name of ``where`` comes from
    the submodule it names (relative, ``".shacl"``), imported on first use.

    For a subpackage that re-exports a module whose own imports are heavy (pyshacl,
    networkx): importing the subpackage for a light module then stays light.

    >>> __getattr__ = lazy_names("graph.base", {"write_atomic": ".files"})
    >>> __getattr__("write_atomic").__name__
    'write_atomic'
    """

    def __getattr__(name: str):
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(module, package), name)

    return __getattr__
