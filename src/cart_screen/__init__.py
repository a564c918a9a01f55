"""cart-screen: pre-screening checklist for HICARA referrals. The treating physician decides.

The names below are imported on first use, so that the command line can start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cart_screen.form import PatientForm
    from cart_screen.result import NOTICE, Item, ScreeningResult
    from cart_screen.ruleset import Ruleset, RulesetError, load_ruleset
    from cart_screen.screening import screen

__all__ = [
    "NOTICE",
    "Item",
    "PatientForm",
    "Ruleset",
    "RulesetError",
    "ScreeningResult",
    "load_ruleset",
    "screen",
]

_HOME = {
    "NOTICE": "cart_screen.result",
    "Item": "cart_screen.result",
    "PatientForm": "cart_screen.form",
    "Ruleset": "cart_screen.ruleset",
    "RulesetError": "cart_screen.ruleset",
    "ScreeningResult": "cart_screen.result",
    "load_ruleset": "cart_screen.ruleset",
    "screen": "cart_screen.screening",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'cart_screen' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
