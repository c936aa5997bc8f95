"""The bottom layer: helpers every stage may use, importing nothing of the package.

Files written atomically (:mod:`.files`), a progress bar for the stages a user waits on
(:mod:`.progress`), the garbage collector paused for allocation-heavy stages
(:mod:`.gcpause`), the house style of YAML output (:mod:`.yamlout`) and names imported
on first use (:mod:`.lazy`).
"""

from __future__ import annotations

from .files import new_folder, write_atomic
from .gcpause import paused_gc
from .lazy import lazy_names
from .progress import progress
from .yamlout import Dumper, dump

__all__ = ["Dumper", "dump", "lazy_names", "new_folder", "paused_gc", "progress", "write_atomic"]
