"""Text, JSON and CSV renderings of results and rulesets. Formatting lives only here.

Nothing is decided here. Every human text comes in the result's language (or the one asked for)
from the rule files and the catalogue in `i18n`.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cart_screen.form import DERIVED, FIELDS, PatientForm
from cart_screen.i18n import Language, M, Msg
from cart_screen.result import Item, Outcome, ScreeningResult, Severity, Status
from cart_screen.ruleset import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Member,
    Not,
    Ruleset,
    spec_of,
)
from cart_screen.values.book import ValueBook
from cart_screen.values.kinds import Kind
from cart_screen.values.vocabulary import Vocabulary

if TYPE_CHECKING:
    from cart_screen.evaluate import Verdict
    from cart_screen.list_summary import ListSource, Summary

_MARK: dict[Status, tuple[str, str, Msg]] = {
    "flagged": ("✗", "red", M.STATUS_FLAGGED),
    "needs_info": ("?", "yellow", M.STATUS_NEEDS_INFO),
    "clear": ("✓", "green", M.STATUS_CLEAR),
}
_ORDER: tuple[Status, ...] = ("flagged", "needs_info", "clear")
OUTCOME_WORDS: dict[Outcome, Msg] = {
    "flagged": M.OUTCOME_FLAGGED,
    "needs_info": M.OUTCOME_NEEDS_INFO,
    "no_flags": M.OUTCOME_NO_FLAGS,
    "error": M.OUTCOME_ERROR,
}
SEVERITY_WORDS: dict[Severity, Msg] = {
    "exclusion": M.SEVERITY_EXCLUSION,
    "caution": M.SEVERITY_CAUTION,
    "advisory": M.SEVERITY_ADVISORY,
}
CATEGORY_WORDS: dict[str, Msg] = {
    "indication": M.CATEGORY_INDICATION,
    "contraindication": M.CATEGORY_CONTRAINDICATION,
    "precaution": M.CATEGORY_PRECAUTION,
    "interaction": M.CATEGORY_INTERACTION,
    "advisory": M.CATEGORY_ADVISORY,
}
_OUTCOME_COLOUR = {"flagged": "red", "needs_info": "yellow", "no_flags": "green", "error": "red"}


_BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_ESCAPED: dict[int, str] = {
    **{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))},  # C0, DEL, C1
    **{c: f"\\u{c:04x}" for c in (*_BIDI_CONTROLS, 0x2028, 0x2029)},  # bidi, line separators
    **dict.fromkeys(range(0xDC80, 0xDD00), "\ufffd"),  # a byte that did not decode
}
_ESCAPED_IN_LINES = {c: s for c, s in _ESCAPED.items() if c not in (0x09, 0x0A)}


def printable(text: str, *, lines: bool = False) -> str:
    """Text from the input made safe to show in a terminal or on a page.

    Each control character — C0, DEL, C1 (so every escape sequence loses its ESC), the bidi
    overrides and isolates, the line and paragraph separators — is shown as its escape (`\\x1b`,
    `\\u202e`): an id or a header can neither retitle or rewrite a terminal nor reorder what is
    read. `lines` keeps line breaks and tabs, for texts of several lines.
    """
    return text.translate(_ESCAPED_IN_LINES if lines else _ESCAPED)


def result_json(result: ScreeningResult, *, indent: int | None = 2) -> str:
    """SPEC §4 JSON for one result."""
    return result.model_dump_json(indent=indent)


def checklist_text(result: ScreeningResult) -> str:
    """The checklist a coordinator reads: flagged first, then needs info, then clear; notice last."""
    return "\n".join(_checklist_lines(result)) + "\n"


def _checklist_lines(result: ScreeningResult) -> Iterator[str]:
    lang, ref = result.language, result.ruleset
    # What came from the form (the id, keys, values, messages quoting them) is shown escaped.
    patient = printable(result.patient_id) if result.patient_id else M.NO_ID(lang)
    yield typer.style(M.CHECKLIST_TITLE(lang, patient=patient), bold=True)
    yield M.CHECKLIST_META(
        lang,
        day=result.screening_date.isoformat(),
        ruleset=ref.id,
        revision=ref.label_revision.isoformat(),
        sha=ref.sha256[:16],
    )
    if result.site is not None:
        site = result.site
        source = printable(site.name) if site.name else M.SITE_OPTIONS(lang)
        sha = f" · sha256 {site.sha256[:16]}…" if site.sha256 else ""
        yield M.CHECKLIST_SITE(lang, source=source, sha=sha)
    counts = (
        M.OUTCOME_COUNTS(
            lang,
            flagged=len(result.with_status("flagged")),
            needs=len(result.with_status("needs_info")),
            clear=len(result.with_status("clear")),
        )
        if result.items
        else ""
    )
    words = OUTCOME_WORDS[result.outcome](lang)
    colour = _OUTCOME_COLOUR[result.outcome]
    yield typer.style(M.OUTCOME(lang, words=words), bold=True, fg=colour) + counts
    yield from _item_lines(result.with_status, lang, M.LABEL_CITATION)
    if result.advisory:
        yield ""
        yield typer.style(M.ADVISORY_HEADING(lang), fg="magenta", bold=True)
        yield M.ADVISORY_EXPLAINED(lang) + M.OUTCOME_COUNTS(
            lang,
            flagged=len(result.advisory_with_status("flagged")),
            needs=len(result.advisory_with_status("needs_info")),
            clear=len(result.advisory_with_status("clear")),
        )
        yield from _item_lines(result.advisory_with_status, lang, M.ADVISORY_CITATION, "  ")
    elif result.outcome != "error" and not result.advisory_checked:
        yield ""
        yield typer.style(M.ADVISORY_OFF(lang), dim=True)
    if result.errors:
        yield ""
        yield typer.style(M.UNREADABLE_HEADING(lang), fg="red", bold=True)
        for error in result.errors:
            yield error_line(error.field, error.value, error.message)
    yield ""
    yield typer.style(result.notice, bold=True)


def _item_lines(
    of_status: Callable[[Status], list[Item]], lang: Language, citation: Msg, indent: str = ""
) -> Iterator[str]:
    """Items by status (flagged, needs info, clear), each with its reason, note and source."""
    for status in _ORDER:
        items = of_status(status)
        if not items:
            continue
        symbol, colour, heading = _MARK[status]
        yield ""
        yield indent + typer.style(heading(lang), fg=colour, bold=True)
        for item in items:
            severity = SEVERITY_WORDS[item.severity](lang)
            yield (
                typer.style(f"{indent}  {symbol} ", fg=colour)
                + typer.style(item.title, bold=True)
                + f"  [{item.rule_id} · {severity}]"
            )
            yield f"{indent}      {printable(item.reason, lines=True)}"
            if item.note and status != "clear":  # beside a flag or a question, not a clear item
                yield f"{indent}      " + M.NOTE(lang, note=item.note)
            yield typer.style(f"{indent}      " + citation(lang, source=item.source), dim=True)


def error_line(field: str, value: object, message: str) -> str:
    """A value that could not be read, as the checklist lists it: `  field = 'value': why`."""
    shown_field, shown_value = printable(field), printable(repr(value))
    return f"  {shown_field} = {shown_value}: {printable(message, lines=True)}"


# ---------------------------------------------------------------- rulesets

_SYMBOL: dict[str, str | Msg] = {
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "eq": "=",
    "ne": "≠",
    "in": M.CONDITION_IN,
    "not_in": M.CONDITION_NOT_IN,
}


def describe(
    condition: Condition, vocabulary: Vocabulary, language: Language = "en", *, nested: bool = False
) -> str:
    """A condition in words and symbols: 'LVEF < 40 % or NYHA class in III, IV'."""
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            joiner = M.OR(language) if isinstance(condition, AnyOf) else " and "
            if language == "zh" and isinstance(condition, AllOf):
                joiner = " 且 "
            text = joiner.join(describe(p, vocabulary, language, nested=True) for p in parts)
            return f"({text})" if nested and len(parts) > 1 else text
        case Not(condition=inner):
            return M.CONDITION_NOT(
                language, condition=describe(inner, vocabulary, language, nested=True)
            )
        case Compare() | Equals() | Member():
            spec = spec_of(condition.field)
            assert spec is not None  # the loader refused unknown fields
            if isinstance(condition, Member):
                value = ", ".join(
                    spec.show(v, vocabulary, short=True, language=language)
                    for v in condition.values
                )
            else:
                value = spec.show(condition.value, vocabulary, short=True, language=language)
            symbol = _SYMBOL[condition.op]
            symbol = symbol if isinstance(symbol, str) else symbol(language)
            return f"{spec.label(language)} {symbol} {value}"
    raise AssertionError(condition)  # pragma: no cover - the union is exhaustive


def _bases(condition: Condition, language: Language) -> Iterator[str]:
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            for part in parts:
                yield from _bases(part, language)
        case Not(condition=inner):
            yield from _bases(inner, language)
        case Compare() | Equals() | Member():
            if condition.basis is not None:
                yield condition.basis(language)


def _field_words(name: str, language: Language) -> str:
    if name in DERIVED:
        return M.FROM_FIELDS(language, name=name, fields=M.OR(language).join(DERIVED[name][1]))
    return name


@dataclass(frozen=True)
class RuleOverview:
    """One rule as `rules show` and the web's Rules page tell it, every text in one language."""

    id: str
    category: str
    severity: str
    title: str
    flagged_when: str
    bases: tuple[str, ...]
    """The basis of each threshold the condition compares with (the site's reading of it)."""
    needs: str
    label: str
    note: str | None


@dataclass(frozen=True)
class FieldSpellings:
    """What one form field accepts, and the spellings the value book lists for each value."""

    name: str
    label: str
    allowed: str
    spellings: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class TermOverview:
    """One diagnosis code of the vocabulary: its abbreviation, name and other names."""

    code: str
    abbreviation: str
    name: str
    other_names: tuple[str, ...]


def rule_overviews(
    ruleset: Ruleset, language: Language = "en", *, advisory: bool = False
) -> list[RuleOverview]:
    """Every rule in ruleset order: what raises its flag, thresholds' bases, needs, label text
    (with `advisory`, the advisory checks instead, with what the trials set)."""
    lang, overviews = language, []
    for rule in ruleset.advisory if advisory else ruleset.rules:
        needs = M.RULE_NEEDS(lang, fields=", ".join(_field_words(f, lang) for f in rule.required))
        if rule.optional:
            needs += M.RULE_OPTIONAL(lang, fields=", ".join(rule.optional))
        overviews.append(
            RuleOverview(
                id=rule.id,
                category=CATEGORY_WORDS[rule.category](lang),
                severity=SEVERITY_WORDS[rule.severity](lang),
                title=rule.title(lang),
                flagged_when=describe(rule.flag_when, ruleset.vocabulary, lang),
                bases=tuple(_bases(rule.flag_when, lang)),
                needs=needs,
                label=rule.label(lang),
                note=rule.note(lang) if rule.note else None,
            )
        )
    return overviews


def field_spellings(ruleset: Ruleset, language: Language = "en") -> list[FieldSpellings]:
    """What every form field accepts, from the ruleset's value book (diagnoses: see terms)."""
    book = ruleset.book
    return [
        FieldSpellings(
            name,
            spec.label(language),
            spec.allowed(language, book),
            ()
            if spec.kind is Kind.DIAGNOSIS
            else tuple((value, tuple(words)) for value, words in book.spellings(name, spec.kind)),
        )
        for name, spec in FIELDS.items()
    ]


def vocabulary_terms(ruleset: Ruleset, language: Language = "en") -> list[TermOverview]:
    """The diagnosis vocabulary's codes, each with its names in both languages and synonyms."""
    return [
        TermOverview(
            code,
            term.abbreviation,
            term.name(language),
            (term.name.en if language == "zh" else term.name.zh, *term.synonyms),
        )
        for code, term in ruleset.vocabulary.codes.items()
    ]


def vocabulary_notes(ruleset: Ruleset, language: Language = "en") -> list[tuple[str, str]]:
    """The vocabulary's compound terms and the spellings refused as ambiguous, as lines: each
    a line and what follows it (empty when nothing does)."""
    data, lang = ruleset.vocabulary.data, language
    lines = [
        (
            M.COMPOUND_WORDS(
                lang,
                code=compound.code,
                bases=", ".join(compound.bases),
                qualifiers=", ".join(compound.qualifiers),
            ),
            "",
        )
        for compound in data.compounds
    ]
    for entry in data.ambiguous:
        lines.append((M.AMBIGUOUS_WORDS(lang, terms=", ".join(entry.terms)), entry.message(lang)))
    return lines


def ruleset_text(ruleset: Ruleset, language: Language = "en") -> str:
    """The ruleset as a readable checklist: what raises each flag, thresholds, citations."""
    meta, lang = ruleset.meta, language
    lines = [
        typer.style(
            M.RULESET_TITLE(lang, id=meta.id, product=meta.product, revision=meta.label_revision),
            bold=True,
        ),
        M.SOURCE(lang, source=meta.source(lang)),
        M.FILES(lang, files=", ".join(printable(str(p)) for p in ruleset.files)),
        f"sha256: {ruleset.sha256}",
    ]
    if meta.components:
        components = M.LIST_SEPARATOR(lang).join(c(lang) for c in meta.components)
        lines.append(M.COMPONENTS(lang, components=components))
    if meta.reading_of_severe:
        lines.append(M.READING_OF_SEVERE(lang, text=meta.reading_of_severe(lang)))
    for advisory, citation in ((False, M.LABEL_CITATION), (True, M.ADVISORY_CITATION)):
        if advisory and ruleset.advisory:
            lines += ["", typer.style(M.ADVISORY_HEADING(lang), bold=True)]
        for rule in rule_overviews(ruleset, lang, advisory=advisory):
            lines += [
                "",
                typer.style(rule.id, bold=True) + f"  [{rule.category} · {rule.severity}]",
                f"  {rule.title}",
                "  " + M.FLAGGED_WHEN(lang, condition=rule.flagged_when),
                *(f"    · {basis}" for basis in rule.bases),
                f"  {rule.needs}",
                "  " + citation(lang, source=rule.label),
            ]
            if rule.note:
                lines.append("  " + M.NOTE(lang, note=rule.note))
    lines += _spellings_text(ruleset, lang)
    lines += ["", M.NOTICE(lang)]
    return "\n".join(lines) + "\n"


def _spellings_text(ruleset: Ruleset, lang: Language) -> list[str]:
    """What each field accepts, with the spellings the value book lists (`rules show`)."""
    book, vocabulary = ruleset.book, ruleset.vocabulary
    lines = ["", typer.style(M.VALUES_READ(lang), bold=True)]
    if book.data.not_recorded:
        lines.append("  " + M.NOT_RECORDED_WORDS(lang, words=", ".join(book.data.not_recorded)))
    for field in field_spellings(ruleset, lang):
        lines.append(f"  {field.name} — {field.allowed}")
        for value, words in field.spellings:
            if words:  # " | " between spellings: some spellings hold commas themselves
                lines.append(f"      {value}: {' | '.join(words)}")
    lines += ["", typer.style(M.VOCABULARY(lang), bold=True), f"  {vocabulary.data.note(lang)}"]
    for term in vocabulary_terms(ruleset, lang):
        lines.append(f"  {term.code:<15} {term.abbreviation} — {term.name}")
        lines.append(f"      {', '.join(term.other_names)}")
    for line, then in vocabulary_notes(ruleset, lang):
        lines.append("  " + line)
        if then:
            lines.append(f"      → {then}")
    return lines


def form_schema_json(language: Language = "en", ruleset: Ruleset | None = None) -> str:
    """JSON Schema of the patient form, its titles and descriptions in the language asked for,
    each saying what the field accepts (from the ruleset's value book)."""
    schema = PatientForm.model_json_schema()
    book = ruleset.book if ruleset is not None else None
    for name, spec in FIELDS.items():
        accepts = M.ACCEPTS(language, allowed=spec.allowed(language, book))
        schema["properties"][name]["title"] = spec.label(language)
        joiner = "" if language == "zh" else " "
        schema["properties"][name]["description"] = f"{spec.hint(language)}{joiner}{accepts}"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- batch

BATCH_COLUMNS = (
    "row",
    "patient_id",
    "outcome",
    "flagged",
    "needs_info",
    "advisory_flagged",
    "advisory_needs_info",
    "errors",
    "notice",
)
"""SPEC §5, with SPEC §11's advisory columns after needs_info (empty when the checks are off)."""
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def csv_cell(text: str) -> str:
    """One cell as RFC 4180 writes it (as csv.writer's QUOTE_MINIMAL): quoted only when needed."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


@functools.cache
def batch_rows(
    rule_ids: tuple[str, ...], language: Language = "en", advisory_ids: tuple[str, ...] = ()
) -> BatchRows:
    """The row writer for a ruleset and language, kept for the whole list."""
    return BatchRows(rule_ids, language, advisory_ids)


class _StatusCells:
    """The flagged and needs_info cells of status profiles (rule ids joined by `;`), remembered."""

    def __init__(self, rule_ids: Sequence[str]):
        self.rule_ids = tuple(rule_ids)
        self._profiles: dict[tuple[Status, ...], str] = {}

    def __call__(self, statuses: tuple[Status, ...]) -> str:
        cells = self._profiles.get(statuses)
        if cells is None:
            pairs = list(zip(self.rule_ids, statuses, strict=False))
            flagged = ";".join(r for r, s in pairs if s == "flagged")
            needs = ";".join(r for r, s in pairs if s == "needs_info")
            cells = f"{flagged},{needs}"
            if len(self._profiles) < 10_000:  # most lists use few of the profiles there are
                self._profiles[statuses] = cells
        return cells


class BatchRows:
    """Writes OUT.csv rows (SPEC §5, §11): row, patient_id, outcome, flagged, needs_info,
    advisory_flagged, advisory_needs_info, errors, notice, for the records screened one by one
    (columnwise.py writes the plain ones).

    A row is numbered where the chunks meet, in order (batch.ChunkOutput.rows), so this writes
    its middle (`tail`) and the end every row shares (`row_end`: the notice and line end).
    """

    def __init__(
        self, rule_ids: Sequence[str], language: Language = "en", advisory_ids: Sequence[str] = ()
    ):
        self.rule_ids, self.language = tuple(rule_ids), language
        self.row_end = f",{csv_cell(M.NOTICE(language))}\r\n"
        """What ends every row: the notice cell and the line end."""
        self.status_cells = _StatusCells(self.rule_ids)
        """The flagged and needs_info cells of a status profile."""
        self.advisory_cells = _StatusCells(advisory_ids)
        """The advisory_flagged and advisory_needs_info cells of an advisory profile."""

    def tail(self, verdict: Verdict) -> str:
        """The middle of a row: what comes between `row,` and the row's end (see row_end)."""
        errors = ""
        if verdict.errors:
            said = [f"{e.field}: {e.message(self.language)}" for e in verdict.errors]
            # SPEC §5 joins the errors with "; " in every language: programs split on it.
            errors = csv_cell(spreadsheet_safe("; ".join(said)))
        # Only the patient id and error texts can carry what the list held; the rest is ours.
        patient_id = csv_cell(spreadsheet_safe(verdict.patient_id or ""))
        statuses = self.status_cells(verdict.statuses)
        advised = "," if verdict.advisory is None else self.advisory_cells(verdict.advisory)
        return f"{patient_id},{verdict.outcome},{statuses},{advised},{errors}"


def width(text: str) -> int:
    """Columns a text takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell + " " * (w - width(cell)) if i == 0 else " " * (w - width(cell)) + cell
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _outcome_label(outcome: Outcome, language: Language) -> str:
    """The outcome as OUT.csv writes it; in Chinese, its words first."""
    if language == "en":
        return outcome
    return f"{OUTCOME_WORDS[outcome](language).split(' — ')[0]}（{outcome}）"


def source_lines(read: ListSource, lang: Language) -> list[str]:
    """How the list was read: its encoding, or its sheet, header row, rows skipped; and what
    the file was when its name said otherwise."""
    lines: list[str] = []
    if read.misnamed is not None:
        said = M.SUMMARY_READ_AS_CSV if read.kind == "csv" else M.SUMMARY_READ_AS_WORKBOOK
        lines.append(said(lang, suffix=printable(read.misnamed), kind=f".{read.kind}"))
    if read.encoding is not None:
        said = M.SUMMARY_ENCODING_DETECTED if read.encoding_detected else M.SUMMARY_ENCODING_GIVEN
        lines.append(said(lang, encoding=printable(read.encoding)))
    if read.sheet is not None:
        sheet, kind = printable(read.sheet), f".{read.kind}"
        if read.sheet_hidden:
            sheet = M.SUMMARY_SHEET_HIDDEN(lang, sheet=sheet)
        lines.append(M.SUMMARY_SHEET(lang, sheet=sheet, kind=kind, row=read.header_row))
        if read.title_rows:
            lines.append(M.SUMMARY_TITLE_ROWS(lang, count=read.title_rows))
        if read.empty_rows:
            lines.append(M.SUMMARY_EMPTY_ROWS(lang, count=read.empty_rows))
    return lines


def summary_text(summary: Summary, language: Language = "en") -> str:
    """The end-of-run table: outcomes, then each rule's flagged / needs-info counts."""
    lang, total = language, summary.records

    def percent(n: int) -> str:
        return f"{100 * n / total:.1f} %" if total else "–"

    outcomes: tuple[Outcome, ...] = ("flagged", "needs_info", "no_flags", "error")
    outcome_rows = [[M.SUMMARY_OUTCOME(lang), M.SUMMARY_RECORDS(lang), M.SUMMARY_SHARE(lang)]]
    outcome_rows += [
        [_outcome_label(name, lang), str(summary.outcomes[name]), percent(summary.outcomes[name])]
        for name in outcomes
    ]
    outcome_rows.append([M.SUMMARY_ALL(lang), str(total), percent(total)])
    headings = ("flagged", "needs_info") if lang == "en" else ("提示", "待补充")
    rule_rows = [[M.SUMMARY_RULE(lang), *headings]]
    rule_rows += [
        [rule_id, str(summary.flagged[rule_id]), str(summary.needs_info[rule_id])]
        for rule_id in summary.rule_ids
    ]
    lines = ["", *_table(outcome_rows), "", *_table(rule_rows)]
    if summary.advisory_ids:
        advised = summary.advised
        lines += [
            "",
            M.ADVISORY_HEADING(lang),
            M.SUMMARY_ADVISORY_RECORDS(
                lang,
                flagged=advised["flagged"],
                needs=advised["needs_info"],
                clear=advised["no_flags"],
            ),
            "",
        ]
        advisory_rows = [[M.SUMMARY_RULE(lang), *headings]]
        advisory_rows += [
            [rule_id, str(summary.flagged[rule_id]), str(summary.needs_info[rule_id])]
            for rule_id in summary.advisory_ids
        ]
        lines += _table(advisory_rows)
    if summary.screened_with is not None:
        ruleset_id, sha256, site = summary.screened_with
        lines[:0] = ["", M.SUMMARY_RULESET(lang, id=ruleset_id, sha=sha256[:16])]
        if not site.empty:
            source = printable(site.name) if site.name else M.SITE_OPTIONS(lang)
            sha = f" · sha256 {site.sha256[:16]}…" if site.sha256 else ""
            lines.insert(2, M.CHECKLIST_SITE(lang, source=source, sha=sha))
    if summary.source is not None and (read := source_lines(summary.source, lang)):
        lines[:0] = ["", *read]
    for note in summary_notes(summary, lang):
        lines += ["", note]
    lines += ["", M.NOTICE(lang)]
    return "\n".join(lines) + "\n"


def summary_notes(summary: Summary, language: Language = "en") -> list[str]:
    """What the summary says after its tables: records with no flag but a value that could not
    be read, duplicate ids, ignored columns (one line each)."""
    lang, lines = language, []
    if summary.unread:  # a green row whose screening left something out (a screening date)
        lines.append(M.SUMMARY_UNREAD(lang, count=summary.unread))
    if summary.duplicates and summary.show_duplicates:
        duplicates = sorted(summary.duplicates.items())
        shown = ", ".join(f"{printable(pid)} ×{n}" for pid, n in duplicates[:10])
        more = len(duplicates) - 10
        text = M.SUMMARY_DUPLICATES(lang, ids=shown)
        lines.append(text + (M.SUMMARY_MORE(lang, count=more) if more > 0 else ""))
    elif summary.duplicates:  # counted, never named unless asked: stderr ends up in logs
        records = sum(summary.duplicates.values())
        lines.append(M.SUMMARY_DUPLICATE_COUNT(lang, ids=len(summary.duplicates), records=records))
    if not summary.records:
        lines.append(M.SUMMARY_NO_RECORDS(lang))
    if summary.ignored_columns:
        lines.append(M.SUMMARY_IGNORED(lang, columns=some_names(summary.ignored_columns, lang)))
    if summary.unmatched_columns:
        unmatched = some_names(summary.unmatched_columns, lang)
        lines.append(M.SUMMARY_UNMATCHED(lang, columns=unmatched))
    return lines


NAMES_SHOWN = 10
"""Column names a summary line names before "and N more" (a list may have thousands)."""
NAME_LENGTH = 40
"""Characters of each name it shows."""


def some_names(names: Sequence[str], language: Language = "en") -> str:
    """The first NAMES_SHOWN names, each cut to NAME_LENGTH characters, and how many more."""
    shown = [
        printable(name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…")
        for name in names[:NAMES_SHOWN]
    ]
    more = len(names) - NAMES_SHOWN
    return ", ".join(shown) + (M.SUMMARY_MORE(language, count=f"{more:,}") if more > 0 else "")


def template_csv() -> str:
    """An empty referral list: the header row with every form field."""
    return ",".join(FIELDS) + "\r\n"


def column_map_skeleton(book: ValueBook | None = None) -> str:
    """A `--columns` file to fill in: one line per field, your header on the left."""
    lines = [
        "# Column map for `cart-screen batch --columns THIS.yaml` / 列映射文件。",
        "# Write your list's own header on the left of each field you have, e.g.",
        "# 在每个字段左侧写上贵院名单中的表头，例如：",
        "#   MRN: patient_id",
        "#   诊断: diagnosis",
        "# Headers match ignoring case and surrounding spaces. Leave a line as it is (or delete it)",
        "# where your header already is the field name. / 表头不区分大小写；与字段名相同的行可保留或删除。",
        "",
    ]
    for name, spec in FIELDS.items():
        lines.append(f"# {spec.label.en} / {spec.label.zh}: {spec.allowed('en', book)}")
        lines.append(f"{name}: {name}")
    return "\n".join(lines) + "\n"
