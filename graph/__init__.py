"""regiograph: a knowledge graph of regional development actors, strategies and projects."""

from .load import Facts, InvalidDataset, Problem, load_facts

__all__ = ["Facts", "InvalidDataset", "Problem", "load_facts"]
__version__ = "0.1.0"
