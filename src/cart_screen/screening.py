"""The public entry point: screen one form against a ruleset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cart_screen.evaluate import evaluate
from cart_screen.form import PatientForm
from cart_screen.i18n import Language
from cart_screen.reading import read_site_defaults
from cart_screen.result import ScreeningResult
from cart_screen.ruleset import Ruleset, default_ruleset, load_ruleset


def resolve_ruleset(rules: Ruleset | str | Path | None) -> Ruleset:
    """A loaded ruleset from a ruleset, a path, or None for the shipped HICARA rules."""
    if rules is None:
        return default_ruleset()
    if isinstance(rules, Ruleset):
        return rules
    return load_ruleset(rules)


def screen(
    form: Mapping[str, Any] | PatientForm,
    *,
    as_of: dt.date | str | None = None,
    rules: Ruleset | str | Path | None = None,
    language: Language = "en",
    site: Mapping[str, Any] | None = None,
) -> ScreeningResult:
    """Screen one patient form; unreadable values become errors on the result, never exceptions.

    `as_of` is the screening date when the form has none (default: today); `rules` a loaded
    ruleset or its path (default: the shipped HICARA ruleset); `language` ("en" or "zh") the
    language of the human texts — ids, keys and statuses are the same in both; `site` the
    site-wide defaults for site fields the form leaves blank (`{"icu_available": "yes"}`).
    """
    ruleset = resolve_ruleset(rules)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    defaults = read_site_defaults(site) if site else None
    return evaluate(ruleset, ruleset.reader.read(form, as_of, defaults), language)
