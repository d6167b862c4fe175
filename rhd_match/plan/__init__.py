"""A purchase plan, whoever made it: its tables computed from the ``flows`` alone, the
``Solution`` that holds them, and the producers' order sheets."""

from .solution import Solution

__all__ = ["Solution"]
