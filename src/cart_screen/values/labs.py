"""Lab values as print-outs give them: a multiple of the upper limit of normal (ULN), or an
absolute value with its unit and the lab's ULN — in the cell or from the site file.

    3.2   3.2×ULN   3.2 x ULN   3.2倍正常上限            -> 3.2 (a multiple, as written)
    68 µmol/L (ULN 21)   180 U/L（正常上限 50 U/L）      -> the value ÷ the ULN
    68 µmol/L (参考范围 3.4–20.5)                         -> the reference interval's upper end
    4 mg/dL              with the site's ULN 20.5 µmol/L -> 4 × 17.1 = 68.4 µmol/L ÷ 20.5

Units, their factors, the words and plausible ULNs are data (values.yaml `labs`). The multiple
is rounded to two decimals, and the value read carries the arithmetic (`Measured.how`), so the
reason shows exactly the number the rule compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field, StrictFloat, StrictInt, StrictStr

from cart_screen.datafile import DataModel, Text
from cart_screen.i18n import M
from cart_screen.values.text import FormValueError, Measured, Shaped, fold

Number = StrictInt | StrictFloat


class Bounds(DataModel):
    """A plausible range; either end may be open."""

    min: Number | None = None
    max: Number | None = None
    hint_below: Text | None = None
    """Said when a value falls below `min`: what such a value usually means."""
    hint_above: Text | None = None
    """Said when a value falls above `max`."""


class Analyte(DataModel):
    """One lab test: its name, the unit values are compared in, and the units it may be given in."""

    name: Text
    base: StrictStr
    units: dict[StrictStr, Number] = Field(min_length=1)
    """Each unit with how many of the base unit one of it is (mg/dL bilirubin: 17.1 µmol/L)."""
    uln_range: Bounds
    """Plausible upper limits of normal, in the base unit."""
    example: StrictStr
    """A value with its unit and ULN as a lab print-out writes it, for messages."""
    bare_max: Number | None = None
    """A number written with neither ×ULN nor a unit above this is asked about: 45 in an ALT
    column is more likely 45 U/L than 45×ULN."""


class Labs(DataModel):
    """How lab values are written: multiple words, ULN and reference words, and the analytes."""

    multiple_words: list[StrictStr] = Field(min_length=1)
    uln_words: list[StrictStr] = Field(min_length=1)
    reference_words: list[StrictStr] = Field(default_factory=list)
    analytes: dict[str, Analyte] = Field(min_length=1)


def _unit_key(unit: str) -> str:
    return fold(unit).replace(" ", "")


@dataclass(frozen=True)
class Quantity:
    """An amount of an analyte in one of its units, as written: 20.5 µmol/L."""

    amount: float
    unit: str
    """The unit as the data file spells it."""

    def __str__(self) -> str:
        return f"{self.amount:.15g} {self.unit}"  # as written: a text has at most 15 digits


_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
_LEADING = re.compile(rf"^({_NUMBER})\s*(.*)$")
_INTERVAL = re.compile(rf"^({_NUMBER})\s*(?:-|–|—|~|～|至|到|to)\s*({_NUMBER})\s*(.*)$")
_OPEN = "([[{,;/"
_CLOSE = ")]}"


class LabReader:
    """Reads one analyte's values; `site_uln` is the site's ULN for it, if any."""

    def __init__(self, labs: Labs, analyte: str, site_uln: Quantity | None = None):
        self.data = labs.analytes[analyte]
        self.site_uln = site_uln
        self._units = {_unit_key(u): u for u in self.data.units}
        self._multiple = {_unit_key(w) for w in labs.multiple_words}
        self._uln_words = sorted({fold(w) for w in [*labs.uln_words, *labs.reference_words]})
        self._uln_words.sort(key=len, reverse=True)
        self._reference_words = {fold(w) for w in labs.reference_words}

    def units_said(self) -> str:
        return ", ".join(self.data.units)

    def quantity(self, text: str) -> Quantity:
        """Read '20.5 µmol/L' (a site file's ULN); raise FormValueError naming what is allowed."""
        found = _LEADING.match(fold(text))
        unit = self._unit_at(found.group(2)) if found else None
        if found is not None and found.group(2).strip() and unit is None:
            raise FormValueError(M.LAB_UNKNOWN_UNIT.both(units=self.units_said()))
        if found is None or unit is None or unit[1].strip():
            example = self.data.example.split("(")[0].strip()
            raise FormValueError(M.LAB_QUANTITY.both(units=self.units_said(), example=example))
        return Quantity(float(found.group(1)), unit[0])

    def read(self, raw: str) -> float:
        """A multiple of ULN from what was written; raise FormValueError saying what to record."""
        text = fold(raw)
        found = _LEADING.match(text)
        if found is None:
            raise FormValueError(M.LAB_UNREADABLE.both(units=self.units_said()))
        amount, rest = float(found.group(1)), found.group(2).strip()
        if not rest:
            self.check_bare(amount)
            return amount
        if _unit_key(rest) in self._multiple:
            return amount
        unit = self._unit_at(rest)
        if unit is None and not rest.startswith(tuple(_OPEN)) and not self._starts_uln(rest):
            raise FormValueError(M.LAB_UNKNOWN_UNIT.both(units=self.units_said()))
        tail = unit[1] if unit else rest
        uln, uln_from_site = self._uln_in(tail, unit[0] if unit else None), False
        if uln is not None and unit is None:
            # '3 (ULN 21)': 3 µmol/L, or 3×ULN beside the lab's limit? the value's unit decides
            raise FormValueError(M.LAB_VALUE_UNIT.both(example=self.data.example))
        if uln is None:
            if unit is None:
                raise FormValueError(M.LAB_UNKNOWN_UNIT.both(units=self.units_said()))
            if self.site_uln is None:
                raise FormValueError(M.LAB_NO_ULN.both(example=f"{amount:g} {unit[0]} (ULN …)"))
            uln, uln_from_site = self.site_uln, True
        value = Quantity(amount, unit[0] if unit else uln.unit)
        return self._multiple_of(value, uln, uln_from_site, same_unit=unit is None)

    def _unit_at(self, text: str) -> tuple[str, str] | None:
        """The unit `text` starts with (longest first) and what follows it, or None."""
        squeezed = text.replace(" ", "")
        for key in sorted(self._units, key=len, reverse=True):
            if squeezed.startswith(key):
                # walk the original text to keep the tail's own spacing
                taken, kept = 0, 0
                while taken < len(key):
                    if text[kept] != " ":
                        taken += 1
                    kept += 1
                return self._units[key], text[kept:].strip()
        return None

    def _starts_uln(self, text: str) -> bool:
        return any(text.startswith(word) for word in self._uln_words)

    def _uln_in(self, tail: str, unit: str | None) -> Quantity | None:
        """The ULN written after a value: '(ULN 21)', '（正常上限 50 U/L）', '(参考范围 3.4–20.5)'."""
        tail = tail.strip().lstrip(_OPEN).rstrip(_CLOSE).strip()
        if not tail:
            return None
        said_uln = False
        for word in self._uln_words:
            if tail.startswith(word):
                said_uln = word not in self._reference_words
                tail = tail[len(word) :].strip().lstrip(":：=").strip()
                break
        else:
            if tail.startswith(("<", "≤", "<=")):  # '180 U/L (<40)': the upper limit itself
                tail = tail.lstrip("<≤=").strip()
            # a bracketed interval after a value is its reference interval: '68 µmol/L (3.4–20.5)'
            elif _INTERVAL.match(tail) is None:
                raise FormValueError(M.LAB_UNREADABLE.both(units=self.units_said()))
        interval = _INTERVAL.match(tail)
        if interval is not None and said_uln:
            # 'ULN 40-50' names two upper limits, not a reference interval: which one?
            raise FormValueError(M.LAB_TWO_ULNS.both())
        found = _LEADING.match(tail) if interval is None else None
        if interval is not None:
            amount, rest = float(interval.group(2)), interval.group(3)
        elif found is not None:
            amount, rest = float(found.group(1)), found.group(2)
        else:
            raise FormValueError(M.LAB_UNREADABLE.both(units=self.units_said()))
        rest = rest.strip().rstrip(_CLOSE).strip()
        if not rest:
            # A ULN without a unit has the value's unit (or none, when the value has none).
            return Quantity(amount, unit or "")
        uln_unit = self._unit_at(rest)
        if uln_unit is None or uln_unit[1].strip(_CLOSE + " "):
            raise FormValueError(M.LAB_UNKNOWN_UNIT.both(units=self.units_said()))
        return Quantity(amount, uln_unit[0])

    def _in_base(self, quantity: Quantity) -> float:
        return quantity.amount * self.data.units[quantity.unit]

    def _multiple_of(
        self, value: Quantity, uln: Quantity, from_site: bool, same_unit: bool
    ) -> Measured:
        units = self.data.units
        alike = units.get(value.unit) == units.get(uln.unit)  # U/L and IU/L: one unit
        base_unit = uln.unit if (same_unit or alike or not uln.unit) else self.data.base
        if same_unit or alike or not uln.unit:
            numerator, denominator = value.amount, uln.amount
            steps = ""
        else:
            numerator, denominator = self._in_base(value), self._in_base(uln)
            base = self.data.base
            # say the conversion of whichever side was not already in the base unit
            steps = f" = {numerator:.4g} {base}" if self.data.units[value.unit] != 1 else ""
            if self.data.units[uln.unit] != 1:
                uln = Quantity(uln.amount, f"{uln.unit} ({denominator:.4g} {base})")
        self.check_uln(Quantity(denominator, base_unit), unitless=same_unit or not uln.unit)
        multiple = numerator / denominator  # compared unrounded: shown as below
        message = M.LAB_SITE_ULN if from_site else M.LAB_ULN
        said = {
            "value": str(value).strip() + steps,
            "uln": str(uln).strip(),
            "multiple": shown_multiple(multiple),
        }
        shaped = Shaped(message, said, "multiple", said["multiple"])
        return Measured(multiple, message.both(**said), shaped)

    def check_bare(self, amount: float) -> None:
        """Refuse a number without ×ULN or unit that is more likely a lab value than a multiple."""
        limit = self.data.bare_max
        if limit is not None and amount > limit:
            raise FormValueError(M.LAB_BARE_LARGE.both(value=f"{amount:g}"))

    def check_uln(self, uln: Quantity, *, unitless: bool = False) -> None:
        """Refuse a ULN that is not above 0, or (in a known unit) outside its plausible range."""
        if uln.amount <= 0:
            raise FormValueError(M.LAB_ULN_NOT_POSITIVE.both())
        if unitless or not uln.unit:
            return  # no unit to judge the ULN's plausibility by
        bounds = self.data.uln_range
        amount = self._in_base(uln)
        low = bounds.min is not None and amount < bounds.min
        high = bounds.max is not None and amount > bounds.max
        if low or high:
            raise FormValueError(
                M.LAB_ULN_IMPLAUSIBLE.both(
                    uln=str(uln), low=_end(bounds.min), high=_end(bounds.max), base=self.data.base
                )
            )


def shown_multiple(multiple: float) -> str:
    """A multiple as the reason shows it: two decimals, or more where two would round it onto a
    whole or half number it is not (5.0025 is shown so, never as 5, lest '5 is above 5')."""
    rounded = round(multiple, 2)
    if rounded != multiple and (rounded * 2).is_integer():
        return f"{multiple:.6g}"
    return f"{rounded:g}"


def _end(bound: float | None) -> str:
    return "…" if bound is None else f"{bound:g}"
