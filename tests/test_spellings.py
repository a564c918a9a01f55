"""Values as referrals really write them (SPEC §7, issue 9), as data-driven tests.

- `spellings.csv`: realistic spellings, one row each — field, raw, expected (the canonical value,
  `missing`, or `error: <part of the English message>`), note. A note starting `xfail:` marks a
  reading that contradicts SPEC §7 today; the test says what SPEC asks for.
- Every spelling the rule data lists (values.yaml: choices, yes/no, number words, prefixes and
  suffixes, scores, lab words and units, date separators, "not recorded"; vocabulary.yaml: codes,
  names, abbreviations, synonyms, compounds) reads as its own value and never as another, whatever
  its case or width.
- The wizard and the web form read a sample of the same spellings as a CSV cell does, with the
  same messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.form import FIELDS
from cart_screen.i18n import Language, web_wording
from cart_screen.reading import UNREADABLE
from cart_screen.ruleset import default_ruleset
from cart_screen.values.kinds import Kind
from cart_screen.values.labs import shown_multiple
from cart_screen.values.text import Measured, match_key
from cart_screen.web import create_app
from cart_screen.wizard import HELP, Wizard

AS_OF = dt.date(2026, 10, 15)
RULESET = default_ruleset()
TABLE = Path(__file__).with_name("spellings.csv")


# ---------------------------------------------------------------- reading one value


def shown(value: Any) -> str:
    """A read value as spellings.csv writes it: `DLBCL_NOS`, `True`, `3`, `3.24`, `2026-01-05`."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Measured):  # worked out from a unit and ULN: as the reason shows it
        return shown_multiple(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Read:
    """What the reader made of one raw value: the value (None if none) and the field's errors."""

    value: Any
    messages: tuple[str, ...]
    """The English message of each error on the field."""


def read_cell(field: str, raw: str) -> Read:
    """Read `raw` as the one value of a form (as a CSV cell or form file holds it)."""
    read = RULESET.reader.read({field: raw}, AS_OF)
    value = read.facts.get(field)
    value = None if value is UNREADABLE else value  # given but not read: no value
    return Read(value, tuple(e.message.en for e in read.errors if e.field == field))


# ---------------------------------------------------------------- spellings.csv


@dataclass(frozen=True)
class Spelling:
    """One row of spellings.csv."""

    line: int
    field: str
    raw: str
    expected: str
    note: str

    @property
    def refusal(self) -> str | None:
        """Part of the English error message expected, or None when a value (or missing) is."""
        kind, _, says = self.expected.partition(":")
        return says.strip() if kind == "error" else None

    @property
    def xfail(self) -> str | None:
        return self.note.removeprefix("xfail:").strip() if self.note.startswith("xfail:") else None

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail)] if self.xfail else []
        return pytest.param(self, id=f"{self.line}-{self.field}-{self.raw}", marks=marks)


def load_spellings() -> list[Spelling]:
    with TABLE.open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table))
    return [
        Spelling(line, row["field"], row["raw"], row["expected"], row["note"])
        for line, row in enumerate(rows, start=2)
    ]


SPELLINGS = load_spellings()


def assert_reads_as(read: Read, spelling: Spelling) -> None:
    """The reading `spelling.expected` asks for: a value, missing, or an error saying why."""
    if spelling.expected == "missing":
        assert (read.value, read.messages) == (None, ())
    elif spelling.refusal is not None:
        assert read.value is None, read.value
        assert len(read.messages) == 1, read.messages
        assert spelling.refusal in read.messages[0], read.messages[0]
    else:
        assert read.messages == ()
        assert shown(read.value) == spelling.expected


def test_the_table_has_150_realistic_spellings_over_every_field() -> None:
    assert len(SPELLINGS) >= 150
    assert {s.field for s in SPELLINGS} == set(FIELDS) - {"patient_id"}
    assert len({(s.field, s.raw) for s in SPELLINGS}) == len(SPELLINGS), "a row given twice"
    assert all(s.raw.strip() and s.expected and s.note for s in SPELLINGS)


@pytest.mark.parametrize("spelling", [s.param() for s in SPELLINGS])
def test_a_realistic_spelling_reads_as_the_table_says(spelling: Spelling) -> None:
    assert_reads_as(read_cell(spelling.field, spelling.raw), spelling)


# ---------------------------------------------------------------- every listed spelling


@dataclass(frozen=True)
class Listed:
    """A spelling the rule data lists (with any affixes), and the value it names."""

    field: str
    raw: str
    value: str

    def __str__(self) -> str:
        return f"{self.field}: {self.raw!r} -> {self.value}"


def around(core: str, before: list[str], after: list[str]) -> Iterator[str]:
    """`core` alone and with each word before it, after it, and both (each at most once)."""
    for prefix, suffix in product(["", *before], ["", *after]):
        yield " ".join(part for part in (prefix, core, suffix) if part)


def fields_of(kind: Kind) -> list[str]:
    return [name for name, spec in FIELDS.items() if spec.kind is kind]


def choice_spellings() -> Iterator[Listed]:
    """Each choice field's spellings of each value, with every prefix/suffix combination."""
    data = RULESET.book.data
    for name, spec in data.fields.items():
        words_for = {str(n): words for n, words in data.number_words.items()}
        for value, words in spec.choices.items():
            spellings = [value, *words]
            if spec.number_words:  # "三级" is III: a number word for a value written as a digit
                spellings += [w for word in words for w in words_for.get(word, [])]
            for word in spellings:
                for raw in around(word, spec.prefixes, spec.suffixes):
                    yield Listed(name, raw, value)


def score_spellings() -> Iterator[Listed]:
    """Each Child-Pugh score (5–15) with its score words and the field's prefixes/suffixes."""
    for name, spec in RULESET.book.data.fields.items():
        before = [*spec.prefixes, *spec.score_words]
        after = [*spec.score_words, *spec.suffixes]
        for value, bounds in spec.scores.items():
            low, high = int(bounds.min or 0), int(bounds.max or 0)
            for score in range(low, high + 1):
                for raw in around(str(score), before, after):
                    yield Listed(name, raw, value)


def yes_no_spellings() -> Iterator[Listed]:
    for name in fields_of(Kind.YES_NO):
        for value, words in RULESET.book.data.yes_no.items():
            for word in words:
                yield Listed(name, word, str(value == "yes"))


SAMPLES: dict[str, float] = {
    "age_years": 45,
    "lvef_percent": 35,
    # advisory fields: a number within the range, in the one unit it can be read in
    "spo2_percent": 95,
    "crcl_ml_min": 45,
    "hemoglobin_g_l": 95,
    "anc_x10e9_l": 1.5,
    "alc_x10e9_l": 1.5,
    "platelets_x10e9_l": 150,
    "allo_hsct_days": 120,
}
"""The number each field's affixes are tried around (3 where not listed)."""


def number_spellings() -> Iterator[Listed]:
    """Numbers with each prefix/suffix combination of their field; counts also in words."""
    data = RULESET.book.data
    for name, spec in data.fields.items():
        if spec.choices or spec.analyte or not (spec.prefixes or spec.suffixes):
            continue
        low, high = spec.range.min if spec.range else None, spec.range.max if spec.range else None
        sample = SAMPLES.get(name, 3)
        cores = [(str(sample), sample)]
        if spec.number_words:
            cores += [
                (word, n)
                for n, words in data.number_words.items()
                for word in words
                if (low is None or n >= low) and (high is None or n <= high)
            ]
        for core, number in cores:
            for raw in around(core, spec.prefixes, spec.suffixes):
                yield Listed(name, raw, shown(number if spec.number_words else float(number)))


def lab_spellings() -> Iterator[Listed]:
    """Multiples with each multiple word; values in each unit with each ULN or reference word."""
    labs = RULESET.book.data.labs
    assert labs is not None
    for name, spec in RULESET.book.data.fields.items():
        if spec.analyte is None:
            continue
        analyte = labs.analytes[spec.analyte]
        for word in labs.multiple_words:
            yield Listed(name, f"3.2{word}", "3.2")
            yield Listed(name, f"3.2 {word}", "3.2")
        low, high = analyte.uln_range.min or 0, analyte.uln_range.max or 0
        for unit, factor in analyte.units.items():
            uln = round((low + high) / 2 / factor, 1)  # a plausible ULN, in this unit
            value = f"{round(3 * uln, 2):g} {unit}"
            for word in labs.uln_words:
                yield Listed(name, f"{value} ({word} {uln:g})", "3")
                yield Listed(name, f"{value}（{word} {uln:g} {unit}）", "3")
            for word in labs.reference_words:
                yield Listed(name, f"{value} ({word} 0–{uln:g})", "3")


def date_spellings() -> Iterator[Listed]:
    for name, separator in product(fields_of(Kind.DATE), RULESET.book.data.dates.separators):
        yield Listed(name, separator.join(("1965", "03", "14")), "1965-03-14")
        yield Listed(name, separator.join(("1965", "3", "4")), "1965-03-04")


def vocabulary_spellings() -> Iterator[Listed]:
    """Every code with its abbreviation, names and synonyms; every compound, both ways round.

    A code or abbreviation that is also listed as ambiguous (FL) is refused, as it should be.
    """
    vocabulary = RULESET.vocabulary.data
    ambiguous = {match_key(t) for entry in vocabulary.ambiguous for t in entry.terms}
    for code, term in vocabulary.codes.items():
        for written in (code, term.abbreviation, term.name.en, term.name.zh, *term.synonyms):
            if match_key(written) not in ambiguous:
                yield Listed("diagnosis", written, code)
    for compound in vocabulary.compounds:
        for base, qualifier in product(compound.bases, compound.qualifiers):
            yield Listed("diagnosis", f"{base}, {qualifier}", compound.code)
            yield Listed("diagnosis", f"{qualifier} {base}", compound.code)
            yield Listed("diagnosis", f"{base} ({qualifier})", compound.code)


LISTED: dict[str, Callable[[], Iterator[Listed]]] = {
    "choices": choice_spellings,
    "Child-Pugh scores": score_spellings,
    "yes/no": yes_no_spellings,
    "numbers with affixes": number_spellings,
    "lab multiples and units": lab_spellings,
    "date separators": date_spellings,
    "diagnosis vocabulary": vocabulary_spellings,
}
EVERY_LISTED = list(dict.fromkeys(spelling for listed in LISTED.values() for spelling in listed()))


def misread(spelling: Listed, raw: str | None = None) -> str | None:
    """What is wrong with how a listed spelling reads (written as `raw`), or None if nothing."""
    read = read_cell(spelling.field, spelling.raw if raw is None else raw)
    if read.messages or shown(read.value) != spelling.value:
        return f"{spelling} (as {raw!r}): read {read.value!r}, {list(read.messages)}"
    return None


@pytest.mark.parametrize("source", LISTED)
def test_every_listed_spelling_reads_as_its_own_value_and_no_other(source: str) -> None:
    spellings = list(dict.fromkeys(LISTED[source]()))
    assert spellings
    wrong = [problem for s in spellings if (problem := misread(s)) is not None]
    assert wrong == [], f"{len(wrong)} of {len(spellings)}:\n" + "\n".join(wrong[:40])


COVERS = {"relapsed_or_refractory": {"relapsed", "refractory"}}
"""Values that name two others at once ("r/r": the label covers both forms)."""
JOINERS = ["-", "–", "/", "~", " ", ", ", "、", " or "]


def two_values(field: str) -> Iterator[tuple[str, str, str]]:
    """Two different values of a choice field written together: (text, first, second)."""
    choices = RULESET.book.field(field).choices
    for (first, these), (second, those) in product(choices.items(), repeat=2):
        if first != second:
            for a, b, joiner in product([first, *these], [second, *those], JOINERS):
                yield f"{a}{joiner}{b}", first, second


@pytest.mark.parametrize(
    "field",
    [name for name, spec in FIELDS.items() if spec.kind is Kind.CHOICE],
)
def test_two_values_written_together_are_refused_unless_one_value_names_both(field: str) -> None:
    wrong = [
        f"{text!r} read as {read.value}"
        for text, first, second in two_values(field)
        if (read := read_cell(field, text)).value is not None
        and {first, second} - COVERS.get(read.value, set())
    ]
    assert wrong == [], f"{len(wrong)}:\n" + "\n".join(wrong[:20])


def test_every_not_recorded_word_leaves_every_field_missing_without_an_error() -> None:
    words = RULESET.book.data.not_recorded
    fields = [name for name in FIELDS if name != "patient_id"]
    wrong = [
        (field, word, read)
        for field, word in product(fields, words)
        if (read := read_cell(field, word)) != Read(None, ())
    ]
    assert wrong == []


def full_width(text: str) -> str:
    """ASCII as a Chinese input method types it: ３．２×ＵＬＮ, ＮＹＨＡ　ＩＩ."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


STYLES: dict[str, Callable[[str], str]] = {
    "as listed": str,
    "upper case": str.upper,
    "lower case": str.lower,
    "title case": str.title,
    "full width": full_width,
    "padded": lambda text: f"  {text}\t",
}


@settings(max_examples=500, deadline=None)
@given(spelling=st.sampled_from(EVERY_LISTED), style=st.sampled_from(list(STYLES)))
def test_case_width_and_surrounding_space_never_change_a_reading(
    spelling: Listed, style: str
) -> None:
    raw = STYLES[style](spelling.raw)
    assert unicodedata.normalize("NFKC", raw).casefold().strip()  # still says something
    assert misread(spelling, raw) is None


# ---------------------------------------------------------------- the wizard and the web form


def sample() -> list[Spelling]:
    """Every third spelling of each field (none that the wizard takes as a command, no xfail)."""
    usable = [s for s in SPELLINGS if s.xfail is None and s.raw.strip() not in HELP]
    return [s for field in FIELDS for s in [s for s in usable if s.field == field][::3]]


SAMPLE = sample()


@pytest.fixture(scope="module", params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Language:
    lang: Language = request.param
    return lang


@pytest.fixture(scope="module")
def csv_messages(language: Language, tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """Each sampled spelling's message as `cart-screen batch` reports it ('' if none), by line."""
    folder = tmp_path_factory.mktemp(f"sample-{language}")
    source, out = folder / "sample.csv", folder / "results.csv"
    columns = ["patient_id", *dict.fromkeys(s.field for s in SAMPLE)]
    with source.open("w", encoding="utf-8", newline="") as referrals:
        writer = csv.DictWriter(referrals, columns)
        writer.writeheader()
        writer.writerows({"patient_id": f"S-{s.line}", s.field: s.raw} for s in SAMPLE)
    args = ["batch", str(source), "--output", str(out), "--as-of", AS_OF.isoformat()]
    run = CliRunner().invoke(app, [*args, "--lang", language])
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8-sig", newline="") as results:
        rows = list(csv.DictReader(results))
    assert [row["patient_id"] for row in rows] == [f"S-{s.line}" for s in SAMPLE]
    return {s.line: row["errors"] for s, row in zip(SAMPLE, rows, strict=True)}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(RULESET, AS_OF), base_url="http://127.0.0.1")


def wizard_says(spelling: Spelling, language: Language) -> str | None:
    """The wizard's complaint when `spelling` is typed at its question, or None if taken."""
    wizard = Wizard(RULESET, AS_OF, language, {"patient_id": "S-1"})
    wizard.position = wizard.names.index(spelling.field)
    feedback = wizard.answer(spelling.raw)
    assert feedback.kind in ("next", "again"), feedback
    if feedback.kind == "again":
        return feedback.message
    kept = wizard.answers.get(spelling.field)  # what it keeps reads as the same value again
    if kept is None:  # "不详", "unknown": skipped, as a blank cell is
        assert spelling.expected == "missing"
    else:
        assert_reads_as(read_cell(spelling.field, kept), spelling)
    return None


def web_says(client: TestClient, spelling: Spelling, language: Language) -> str | None:
    """The message shown next to the field when `spelling` is posted, or None if taken."""
    form = {"lang": language, "patient_id": "W-1", spelling.field: spelling.raw}
    page = client.post("/check", data=form)
    found = re.search(rf'<p class="error" id="{spelling.field}-error">(.*?)</p>', page.text, re.S)
    assert page.status_code == (422 if found else 200), page.text[:500]
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("spelling", [s.param() for s in SAMPLE])
def test_the_wizard_and_the_web_form_read_a_spelling_as_a_csv_cell_does(
    spelling: Spelling,
    language: Language,
    csv_messages: dict[int, str],
    client: TestClient,
) -> None:
    reported = csv_messages[spelling.line]
    field_prefix = re.compile(rf"^{spelling.field}[:：]\s*")
    message = field_prefix.sub("", reported) if reported else None
    assert (message is None) == (spelling.refusal is None), reported
    assert wizard_says(spelling, language) == message
    web_message = None if message is None else web_wording(message, language)  # no CLI words
    assert web_says(client, spelling, language) == web_message
