"""The independent checker: every rule of ``docs/model.md`` recomputed from a plan's flows.

It depends on the inputs only, never on the optimiser (``model/``) nor on the plan tables
(``plan/``), so that a bug there cannot hide itself here.
"""

from .checker import check

__all__ = ["check"]
