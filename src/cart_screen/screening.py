"""The public entry point: screen one form against a ruleset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cart_screen.evaluate import evaluate
from cart_screen.form import PatientForm
from cart_screen.i18n import Language
from cart_screen.result import ScreeningResult
from cart_screen.ruleset import Ruleset, default_ruleset, load_ruleset
from cart_screen.site import Site, site_from


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
    site: Site | Mapping[str, Any] | None = None,
) -> ScreeningResult:
    """Screen one patient form; unreadable values become errors on the result, never exceptions.

    `as_of` is the screening date when the form has none (default: today); `rules` a loaded
    ruleset or its path (default: the shipped HICARA ruleset); `language` ("en" or "zh") the
    language of the human texts — ids, keys and statuses are the same in both; `site` the site
    settings: a loaded `Site` (`site.load_site`), or a mapping as a site file holds them
    (`{"icu_available": "yes", "lab_uln": {"total_bilirubin": "20.5 µmol/L"}}`).
    """
    ruleset = resolve_ruleset(rules)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    settings = site_from(site, ruleset.book)
    reader = ruleset.reader_for(settings.lab_uln)
    return evaluate(ruleset, reader.read(form, as_of, settings.defaults), language, settings)
