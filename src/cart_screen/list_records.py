"""A referral list as records, whatever file it came from: the column map, records and chunks.

The lowest part of the list pipeline (read records -> screen -> write rows and summary): the CSV
reader (csv_list.py) and the workbook reader (workbook.py) make the records and chunks defined
here, the screening (batch.py, columnwise.py) takes them with a Job, and nothing here knows how
a list is read or written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from cart_screen.datafile import FORM_FILE_LIMIT, MARKED, FileTooLarge, anchor_at, read_limited
from cart_screen.files import cannot_read
from cart_screen.form import FIELDS
from cart_screen.i18n import Language, M, Msg, Said
from cart_screen.reading import FormReader, SheetCell, normalize_key
from cart_screen.ruleset import Ruleset
from cart_screen.site import NO_SITE, Site


class BatchInputError(Exception):
    """The list cannot be screened at all (unreadable file, no patient_id column): exit 2."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said

    def __reduce__(self) -> tuple[type[BatchInputError], tuple[Said]]:
        """As it was made: raised in a worker process, it is raised again in this one."""
        return type(self), (self.said,)


@dataclass(frozen=True)
class Columns:
    """Which input column feeds which form field, and which columns are ignored."""

    width: int
    fields: tuple[tuple[int, str], ...]
    patient_id: int
    ignored: tuple[str, ...]
    unmatched: tuple[str, ...] = ()
    """The column map's headers that name no column of the list (an entry mapping a field to
    itself, as the skeleton's lines do, is not counted)."""


def load_column_map(path: Path) -> dict[str, str]:
    """Read a `--columns` file: `their header: form field` pairs, checked against the form."""
    try:
        text = read_limited(path, FORM_FILE_LIMIT, MARKED)
        anchor = anchor_at(text)  # none needed; aliases are how a billion laughs is made
        if anchor is not None:
            where = f"{path}:{anchor[0]}:{anchor[1]}"
            raise BatchInputError(M.MAP_ANCHORS.both(where=where))
        data = yaml.safe_load(text)
    except FileTooLarge as exc:
        raise BatchInputError(M.FILE_TOO_LARGE.both(path=path, limit=exc.limit // 2**20)) from exc
    except OSError as exc:
        raise BatchInputError(cannot_read(path, exc)) from exc
    except UnicodeDecodeError as exc:
        raise BatchInputError(M.TEXT_FILE_NOT_UTF8.both(path=path)) from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise BatchInputError(M.MAP_INVALID.both(path=path)) from exc
    if not isinstance(data, dict):
        raise BatchInputError(M.MAP_NOT_PAIRS.both(path=path))
    mapping: dict[str, str] = {}
    for header, target in data.items():
        if target is None:
            continue  # a line of the skeleton the site left empty
        if str(target) not in FIELDS:
            fields = ", ".join(FIELDS)
            said = M.MAP_BAD_FIELD.both(path=path, header=header, target=target, fields=fields)
            raise BatchInputError(said)
        mapping[normalize_key(header)] = str(target)
    return mapping


def names_patient_id(header: Sequence[str], column_map: Mapping[str, str]) -> bool:
    """Whether a row names the patient_id column (directly or through the column map): a header."""
    for name in header:
        key = normalize_key(name.removeprefix("\ufeff"))
        if (column_map.get(key) or key) == "patient_id":
            return True
    return False


def map_columns(header: Sequence[str], column_map: Mapping[str, str]) -> Columns:
    """Match headers to fields (ignoring case and surrounding spaces, or via the column map)."""
    fields: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = normalize_key(name.removeprefix("\ufeff"))
        target = column_map.get(key) or (key if key in FIELDS else None)
        if target is None:
            ignored.append(name)
        elif target in fields:
            first, second = fields[target] + 1, index + 1
            raise BatchInputError(M.COLUMNS_CLASH.both(first=first, second=second, field=target))
        else:
            fields[target] = index
    if "patient_id" not in fields:
        raise BatchInputError(_no_id_column(header))
    keys = {normalize_key(name.removeprefix("\ufeff")) for name in header}
    unmatched = tuple(key for key, field in column_map.items() if key != field and key not in keys)
    return Columns(
        len(header),
        tuple((i, f) for f, i in fields.items()),
        fields["patient_id"],
        tuple(ignored),
        unmatched,
    )


COLUMNS_SHOWN = 4
"""Columns of a header without patient_id that its refusal names."""
NAME_SHOWN = 24
"""Characters of each that it shows."""


def _no_id_column(header: Sequence[str]) -> Said:
    """The refusal of a header without patient_id, with what it holds (its first columns,
    shortened) and, where the header shows why, what to do: a list separated by semicolons or
    tabs (SPEC §5: lists are comma-separated; Excel in many locales saves them so), Excel's
    `sep=,` line, a title line above the header, `Patient ID` written otherwise."""
    names = [name.removeprefix("\ufeff").strip() for name in header]
    shown = [_shortened(name) for name in names[:COLUMNS_SHOWN]]
    if len(names) > COLUMNS_SHOWN:
        shown.append("…")
    columns = Said.join(M.LIST_SEPARATOR.both(), [Said.same(name) for name in shown])
    said = [M.NO_ID_COLUMN.both(), _with(M.NO_ID_FIRST_COLUMNS, columns=columns)]
    first = names[0] if names else ""
    if len(names) == 1 and ("\t" in first or ";" in first):
        separated = M.NO_ID_TABS if "\t" in first else M.NO_ID_SEMICOLONS
        said.append(_with(M.NO_ID_SEPARATED, separated=separated.both()))
    elif first.casefold().startswith("sep="):
        said.append(M.NO_ID_SEP_LINE.both())
    elif sum(1 for name in names if name) <= 1 and len(names) > 1:
        said.append(M.NO_ID_TITLE.both())
    near = next((name for name in names if _letters(name) == "patientid"), None)
    if near is not None:
        said.append(M.NO_ID_NEAR.both(name=_shortened(near)))
    return Said.join(M.SEPARATOR.both(), said)


def _with(message: Msg, **values: Said) -> Said:
    """A message with values that are themselves said in both languages."""
    return Said(
        message.en.format(**{name: value.en for name, value in values.items()}),
        message.zh.format(**{name: value.zh for name, value in values.items()}),
    )


def _letters(name: str) -> str:
    """A name's letters and digits alone, in one case: `Patient ID`, `patient-id` -> patientid."""
    return "".join(character for character in name.casefold() if character.isalnum())


def _shortened(name: str) -> str:
    """A header name as a message names it: at most NAME_SHOWN characters, in quotes."""
    cut = name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1] + "…"
    return f"“{cut}”"


CHUNK_SIZE = 500
"""Records screened together: enough for column-wise work to pay, few enough that the cells the
csv reader has just made are still in the CPU's cache when they are looked up (~17 % faster than
2,000 here)."""


Cell = str | SheetCell
"""One cell of a record: text (every CSV cell; a workbook's text and numbers) or a workbook's
date, time or error cell (see reading.SheetCell)."""


class Record(NamedTuple):
    """One record: its row number and its cells, or why it could not be read."""

    number: int
    cells: Sequence[Cell]
    problem: Said | None = None


class Chunk(NamedTuple):
    """Consecutive records as read: the first one's number, each one's cells, the records that
    cannot be read (by position in the chunk) with the reason, and — where records are not
    numbered one after another (a sheet's rows, empty rows skipped) — each one's number."""

    first: int
    cells: Sequence[Sequence[Cell]]
    problems: dict[int, Said]
    numbers: Sequence[int] | None = None

    def records(self, positions: Iterable[int] | None = None) -> Iterator[Record]:
        """The chunk record by record (only those at `positions`, if given)."""
        numbers = self.numbers or range(self.first, self.first + len(self.cells))
        for at in range(len(self.cells)) if positions is None else positions:
            yield Record(numbers[at], self.cells[at], self.problems.get(at))


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to screen chunks the same way the main process would."""

    ruleset: Ruleset
    columns: Columns
    as_of: dt.date
    details: bool
    language: Language = "en"
    site: Site = NO_SITE
    """The site settings: defaults for site fields, the lab's ULNs (see site.py)."""
    log: bool = False
    """Whether the screening log records the list: each chunk also gives its forms as read."""

    @property
    def reader(self) -> FormReader:
        """Reads cells with the ruleset's value book and the site's lab ULNs."""
        return self.ruleset.reader_for(self.site.lab_uln)
