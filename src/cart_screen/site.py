"""Site settings: what belongs to the treating site rather than to the patient or the label.

A site file (`--site FILE`, or CART_SCREEN_SITE) gives defaults for site fields a form leaves
blank (SPEC §6: `icu_available`) and the site laboratory's upper limits of normal, so that a lab
value written with its unit ("68 µmol/L") can be read as a multiple of ULN; and whether the
advisory checks from the pivotal trials run (SPEC §11; on unless `advisory: off`):

    icu_available: yes
    lab_uln:
      total_bilirubin: 20.5 µmol/L
      ast: 40 U/L
      alt: 50 U/L
    advisory: off

An unknown key, a unit that does not fit the analyte or a non-positive limit is refused with
`file:line:col`. A result names the site file it was screened with (its sha256), since the
file changes how values are read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, StrictStr

from cart_screen.datafile import DataFileError, DataModel, Location, load_model
from cart_screen.form import FIELDS
from cart_screen.i18n import Said
from cart_screen.reading import SITE_FIELDS
from cart_screen.values.book import ValueBook
from cart_screen.values.labs import Quantity
from cart_screen.values.text import FormValueError


class SiteFile(DataModel):
    """A site file as written."""

    icu_available: Any = None
    lab_uln: dict[str, StrictStr | int | float] = Field(default_factory=dict)
    advisory: Any = None
    """on (the default) or off: whether the advisory checks run."""


@dataclass(frozen=True)
class Site:
    """The settings a screening is done with: site-field defaults and the lab's ULNs."""

    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Site fields a form may leave blank, read: {"icu_available": True}."""
    lab_uln: Mapping[str, Quantity] = field(default_factory=dict)
    name: str | None = None
    """The site file's name (not its folder: paths stay on this machine)."""
    sha256: str | None = None
    """The site file's sha256, as `sha256sum` prints it."""
    advisory: bool = True
    """Whether the advisory checks from the pivotal trials run (`advisory: off` in the file)."""

    def settings(self) -> dict[str, Any]:
        """The settings in force, as plain JSON values (for the result's `site`)."""
        said: dict[str, Any] = dict(self.defaults)
        if self.lab_uln:
            said["lab_uln"] = {name: str(q) for name, q in self.lab_uln.items()}
        if not self.advisory:
            said["advisory"] = "off"
        return said

    @property
    def empty(self) -> bool:
        return not self.defaults and not self.lab_uln and self.name is None and self.advisory


NO_SITE = Site()


def read_defaults(raw: Mapping[str, Any], book: ValueBook | None = None) -> dict[str, Any]:
    """Read site-wide defaults; raise FormValueError naming the field for a bad one."""
    defaults: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if name not in SITE_FIELDS:
            raise FormValueError(
                Said.same(f"{name}: only {', '.join(SITE_FIELDS)} has a site default")
            )
        try:
            read = FIELDS[name].parse(value, book)
        except FormValueError as exc:
            raise FormValueError(Said(f"{name}: {exc.said.en}", f"{name}：{exc.said.zh}")) from exc
        if read is not None:
            defaults[name] = read
    return defaults


def _read_lab_uln(
    raw: Mapping[str, Any], book: ValueBook
) -> tuple[dict[str, Quantity], list[tuple[Location, str]]]:
    """The lab ULNs a site gives, and what is wrong with each one that cannot be read."""
    lab_uln: dict[str, Quantity] = {}
    problems: list[tuple[Location, str]] = []
    analytes = book.data.labs.analytes if book.data.labs else {}
    for name, written in raw.items():
        where: Location = ("lab_uln", name)
        if name not in analytes:
            problems.append((where, f"unknown test {name!r}; known: {', '.join(analytes)}"))
            continue
        reader = book.lab(name)
        try:
            quantity = reader.quantity(str(written))
            reader.check_uln(quantity)
        except FormValueError as exc:
            problems.append((where, f"{name}: {exc.said.en}"))
            continue
        lab_uln[name] = quantity
    return lab_uln, problems


def read_lab_uln(raw: Mapping[str, Any], book: ValueBook) -> dict[str, Quantity]:
    """The lab ULNs a site gives; raise FormValueError for the first that cannot be read."""
    lab_uln, problems = _read_lab_uln(raw, book)
    if problems:
        raise FormValueError(Said.same(problems[0][1]))
    return lab_uln


ADVISORY_SWITCH = {"on": True, "off": False}
"""How a site file turns the advisory checks on or off (YAML's own true/false too)."""


def read_advisory(raw: Any) -> bool:
    """Whether a site's `advisory` setting turns the checks on; FormValueError if not on/off."""
    if raw is None:
        return True
    if isinstance(raw, bool):  # YAML 1.1 reads a bare on/off as true/false
        return raw
    if isinstance(raw, str) and raw.strip().casefold() in ADVISORY_SWITCH:
        return ADVISORY_SWITCH[raw.strip().casefold()]
    raise FormValueError(Said.same(f"advisory: {raw!r} is not on or off — expected on or off"))


def load_site(path: Path, book: ValueBook) -> Site:
    """Read and check a site file; raise DataFileError with each problem located."""
    doc, data = load_model(path, SiteFile, "site files")
    problems: list[tuple[Location, str]] = []
    defaults: dict[str, Any] = {}
    try:
        defaults = read_defaults({"icu_available": data.icu_available}, book)
    except FormValueError as exc:
        problems.append((("icu_available",), exc.said.en))
    lab_uln, lab_problems = _read_lab_uln(data.lab_uln, book)
    problems += lab_problems
    advisory = True
    try:
        advisory = read_advisory(data.advisory)
    except FormValueError as exc:
        problems.append((("advisory",), exc.said.en))
    if problems:
        raise DataFileError([doc.locate(where, message) for where, message in problems])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Site(defaults, lab_uln, path.name, digest, advisory)


def site_from(site: Site | Mapping[str, Any] | None, book: ValueBook) -> Site:
    """Site settings from a Site, or a mapping written as a site file; FormValueError if bad."""
    if site is None:
        return NO_SITE
    if isinstance(site, Site):
        return site
    raw = dict(site)
    lab = raw.pop("lab_uln", None) or {}
    advisory = read_advisory(raw.pop("advisory", None))
    return Site(read_defaults(raw, book), read_lab_uln(lab, book), advisory=advisory)


def site_with(site: Site, icu_available: str | None, book: ValueBook | None = None) -> Site:
    """A site with the `--icu-available` shortcut laid over it (the option wins over the file)."""
    if icu_available is None:
        return site
    defaults = {**site.defaults, **read_defaults({"icu_available": icu_available}, book)}
    return Site(defaults, site.lab_uln, site.name, site.sha256, site.advisory)
