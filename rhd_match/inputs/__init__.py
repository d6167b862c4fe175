"""What a territory gives: the input schema, its validation, the ``Scenario``, and a
description of a scenario before any solve (``describe``)."""

from .scenario import Scenario

__all__ = ["Scenario"]
