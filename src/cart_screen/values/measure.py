"""Measurements written in one of several units: blood counts (×10⁹/L, /µL, /mm³, G/L) and
haemoglobin (g/L, g/dL), read into the field's one unit.

    20,000/µL   20000/mm3   -> 20 ×10⁹/L (the reason shows the conversion)
    1.2 ×10^9/L   1.2 G/L   -> 1.2
    9.5 g/dL                -> 95 g/L

A number written without a unit is read only where the field's plausible ranges (values.yaml
`bare`) leave one reading — a count of 1.2 cannot be 1.2 cells per µL, a haemoglobin of 9.5 cannot
be 9.5 g/L — and is an error asking for the unit where two readings fit. Never a guess. Units,
factors and ranges are data (values.yaml `measures` and each field's `bare`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field, PositiveFloat, StrictBool, StrictStr

from cart_screen.datafile import DataModel
from cart_screen.i18n import M, Msg, Said
from cart_screen.values.text import FormValueError, Measured, Shaped, fold


class Measure(DataModel):
    """A quantity: the unit values are kept in, and every unit it may be written in."""

    base: StrictStr
    units: dict[StrictStr, PositiveFloat] = Field(min_length=1)
    """Each unit as written -> how many of the base unit one of it is."""
    example: StrictStr


class BareReading(DataModel):
    """Where a number written without a unit may be read in `unit`: within min..max."""

    unit: StrictStr
    min: float | None = None
    max: float | None = None
    whole: StrictBool = False
    """Only whole numbers (a count per µL is never 1.2)."""


def unit_key(text: str) -> str:
    """A unit for matching: '×10^9/L', 'x10⁹/l' and '× 10^9 /L' are one; so are µ, μ and u."""
    key = fold(text).replace(" ", "").replace("^", "").replace("μ", "u").replace("µ", "u")
    if key[:1] in ("x", "*"):
        key = "×" + key[1:]
    return key


_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(.*)$")
"""A number at the start of a text, with thousands commas ('20,000') or none."""


@dataclass(frozen=True)
class MeasureReader:
    """Reads one field's measurements (its measure and its bare readings)."""

    measure: Measure
    bare: tuple[BareReading, ...]

    def units_said(self) -> str:
        return ", ".join(self.measure.units)

    def _factors(self) -> dict[str, tuple[str, float]]:
        return {unit_key(u): (u, f) for u, f in self.measure.units.items()}

    def read(self, text: str) -> float:
        """A folded text with the field's prefixes and suffixes taken off -> the base value."""
        found = _AMOUNT.match(text)
        if found is None:
            raise FormValueError(M.MEASURE_UNREADABLE.both(units=self.units_said()))
        written, rest = found.group(1), found.group(2)
        amount = float(written.replace(",", ""))
        if not rest:
            return self.read_bare(amount, whole="." not in written)
        unit = self._factors().get(unit_key(rest))
        if unit is None:
            raise FormValueError(M.LAB_UNKNOWN_UNIT.both(units=self.units_said()))
        written, factor = unit
        return self._converted(amount, written, factor, M.MEASURE_CONVERTED)

    def read_bare(self, amount: float, *, whole: bool) -> float:
        """A number written without its unit: read where one reading alone is plausible.

        `whole`: written as a whole number ('20', not '20.0'); a reading for whole numbers only
        (a count per µL) never reads a number written with a decimal point.
        """
        readings: dict[float, tuple[str, float]] = {}
        for bare in self.bare:
            written, factor = self._factors()[unit_key(bare.unit)]
            fits = (bare.min is None or amount >= bare.min) and (
                bare.max is None or amount <= bare.max
            )
            if fits and (not bare.whole or (whole and amount == int(amount))):
                readings.setdefault(round(amount * factor, 6), (written, factor))
        if len(readings) == 1:
            ((written, factor),) = readings.values()
            return self._converted(amount, written, factor, M.MEASURE_BARE_READ)
        example = self.measure.example
        if not readings:
            raise FormValueError(M.MEASURE_BARE_NONE.both(value=f"{amount:g}", example=example))
        shown = M.OR("en").join(f"{amount:g} {w}" for w, _ in readings.values())
        shown_zh = M.OR("zh").join(f"{amount:g} {w}" for w, _ in readings.values())
        said = M.MEASURE_BARE_TWO
        raise FormValueError(
            Said(
                said("en", value=f"{amount:g}", readings=shown, example=example),
                said("zh", value=f"{amount:g}", readings=shown_zh, example=example),
            )
        )

    def _converted(self, amount: float, written: str, factor: float, how: Msg) -> float:
        """The amount in the base unit, saying how it was worked out when it was converted."""
        if factor == 1:
            return amount
        # in decimal, as written: 20,000 × 0.001 is 20, not 20.000000000000004, and rounding
        # the float product instead would take 999.99999/µL to 1 ×10⁹/L, across a threshold
        value = float(Decimal(repr(amount)) * Decimal(repr(factor)))
        shown, after = f"{value:g}", f" {self.measure.base}"
        parts = {"value": f"{amount:.15g}", "unit": written, "base": shown + after}
        return Measured(value, how.both(**parts), Shaped(how, parts, "base", shown, after))
