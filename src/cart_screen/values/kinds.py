"""What sort of value a form field holds; decides how it is read and what a rule may compare."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What sort of value a field holds; decides which comparisons a rule may make with it."""

    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    NUMBER = "number"
    CHOICE = "choice"
    YES_NO = "yes/no"
    DIAGNOSIS = "diagnosis"


NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.NUMBER})
