"""cart-screen: pre-screening checklist for HICARA referrals. The treating physician decides."""

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
