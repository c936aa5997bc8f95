"""The bottom layer: helpers every stage may use, importing nothing of the package.

Files written atomically (:mod:`.files`), a progress bar for the stages a user waits on
(:mod:`.progress`), the garbage collector paused for allocation-heavy stages
(:mod:`.gcpause`), the house style of YAML output (:mod:`.yamlout`), names imported
on first use (:mod:`.lazy`) and untrusted text on one printable line (:mod:`.text`).
"""

from __future__ import annotations

from .files import new_folder, write_atomic
from .gcpause import paused_gc
from .lazy import lazy_names
from .progress import progress
from .text import one_line
from .yamlout import Dumper, dump

__all__ = ["Dumper", "dump", "lazy_names", "new_folder", "one_line", "paused_gc", "progress",
           "write_atomic"]
