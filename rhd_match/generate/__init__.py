"""Seeded synthetic scenarios and the embedded Lens-Liévin demo (``docs/demo.md``)."""

from .synthetic import generate_scenario

__all__ = ["generate_scenario"]
