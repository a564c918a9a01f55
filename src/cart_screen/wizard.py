"""The form wizard: the form's fields asked one at a time, in the order a clinician thinks. No I/O.

The terminal (`cart_screen.terminal`) shows each `Question` and passes what the coordinator typed
to `Wizard.answer`; every answer is read with the same parsers as a form file, so the same
spellings are accepted and the same messages given. A question that does not apply is not asked
(age when a date of birth was read); after the last one, `review` lists every answer to change
by its number before screening. What was answered so far is a form at any moment
(`partial_form`), to save when the coordinator stops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cart_screen.form import DERIVED, FIELDS, FieldSpec
from cart_screen.i18n import CHOICE_NAMES, Language, M, Msg
from cart_screen.reading import UNREADABLE, FieldError, ReadForm, normalize_key
from cart_screen.ruleset import Ruleset
from cart_screen.site import NO_SITE, Site
from cart_screen.values.kinds import Kind
from cart_screen.values.labs import shown_multiple
from cart_screen.values.text import Measured

GROUPS: dict[str, Msg] = {
    "identity": M.GROUP_IDENTITY,
    "disease": M.GROUP_DISEASE,
    "infection": M.GROUP_INFECTION,
    "heart": M.GROUP_HEART,
    "liver": M.GROUP_LIVER,
    "medicines": M.GROUP_MEDICINES,
    "site": M.GROUP_SITE,
    "advisory": M.GROUP_ADVISORY,
}
"""The form's groups, in order, with their headings (the form model gives each field a group)."""

BACK = frozenset({"<", "back", "返回"})
SKIP = frozenset({"-", "skip", "unknown", "跳过", "不详"})
HELP = frozenset({"?", "？"})


@dataclass(frozen=True)
class Question:
    """One field as the wizard asks it."""

    name: str
    spec: FieldSpec
    group: str
    label: str
    hint: str
    default: str | None
    prompt: str = ""
    """The label with what may be answered, short: 'NYHA class (I/II/III/IV)', 'LVEF (5–95 %)'."""
    completions: tuple[tuple[str, str], ...] = ()
    """Spellings to complete, each with what it reads as; the field reads every one."""
    number: int = 0
    """The question's number on the review screen (1-based, form order)."""


@dataclass(frozen=True)
class ReviewRow:
    """One line of the review screen: the field's number, label, answer ("" unanswered) and a
    note on a question that was not asked."""

    number: int
    name: str
    label: str
    answer: str
    note: str = ""


@dataclass(frozen=True)
class Feedback:
    """What the wizard says back to an answer."""

    kind: Literal["next", "back", "again", "help"]
    message: str = ""


def canonical_text(spec: FieldSpec, value: Any) -> str:
    """A read value written back as text the form reads again: '2026-10-15', 'yes', '3.5'."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Measured):  # as the reason shows it
        return shown_multiple(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass
class Wizard:
    """Walks the form's fields; `answers` holds the text of each answered field."""

    ruleset: Ruleset
    as_of: dt.date | None = None
    language: Language = "en"
    answers: dict[str, str] = field(default_factory=dict)
    position: int = 0
    site: Site = NO_SITE
    unknown: dict[str, Any] = field(default_factory=dict)
    """Keys of a pre-filled form that are no field, with their values: reported and kept."""
    offered: set[str] = field(default_factory=set)
    """Answers offered as defaults (today's date, the site's), given only once confirmed."""
    reviewing: bool = False
    """An answer changed from the review screen goes back to it."""
    _completions: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @classmethod
    def prefilled(
        cls,
        ruleset: Ruleset,
        form: Mapping[str, Any],
        as_of: dt.date | None = None,
        language: Language = "en",
        site: Site = NO_SITE,
    ) -> Wizard:
        """A wizard whose defaults come from a form file, to review answer by answer."""
        # A site default is offered as the answer to confirm, like a pre-filled one.
        answers = {
            name: canonical_text(FIELDS[name], value) for name, value in site.defaults.items()
        }
        offered, unknown = set(answers), {}
        for key, raw in form.items():
            name = normalize_key(key)
            if name not in FIELDS:
                unknown[str(key)] = raw  # reported as check reports it, and kept
            elif raw is not None and str(raw).strip():
                answers[name] = raw if isinstance(raw, str) else str(raw)
                offered.discard(name)
        return cls(ruleset, as_of, language, answers, site=site, unknown=unknown, offered=offered)

    def __post_init__(self) -> None:
        # Shown as the default, so that Enter records the date the screen is done on.
        if "screening_date" not in self.answers:
            self.answers["screening_date"] = (self.as_of or dt.date.today()).isoformat()
            self.offered.add("screening_date")
        self._skip_unasked(+1)

    @property
    def names(self) -> list[str]:
        return list(FIELDS)

    @property
    def done(self) -> bool:
        return self.position >= len(self.names)

    def applies(self, name: str) -> bool:
        """Whether a question is asked: a field that supplies a derived fact only when the
        fields before it in DERIVED gave none (age in years when no date of birth was read).
        One that holds an answer is asked all the same, to be seen and changed."""
        if name in self.answers:
            return True
        for _, suppliers in DERIVED.values():
            if name in suppliers[1:]:
                earlier = suppliers[: suppliers.index(name)]
                read = self._read().facts
                if any(read.get(other) is not None for other in earlier):
                    return False
        return True

    def _read(self, answers: Mapping[str, Any] | None = None) -> ReadForm:
        reader = self.ruleset.reader_for(self.site.lab_uln)
        return reader.read(self.answers if answers is None else answers, self.as_of)

    def _skip_unasked(self, step: int) -> None:
        while 0 <= self.position < len(self.names) and not self.applies(self.names[self.position]):
            self.position += step
        self.position = max(self.position, 0)

    def _advance(self) -> None:
        self.position = len(self.names) if self.reviewing else self.position + 1
        self._skip_unasked(+1)

    def question(self) -> Question:
        """The field being asked now."""
        name = self.names[self.position]
        spec = FIELDS[name]
        lang = self.language
        hint = spec.hint(lang)
        if name == "hypersensitivity_to_components" and self.ruleset.meta.components:
            components = M.LIST_SEPARATOR(lang).join(c(lang) for c in self.ruleset.meta.components)
            hint += M.COMPONENTS_HINT(lang, components=components)
        label, choices = spec.label(lang), self._choices(name, spec)
        prompt = M.QUESTION_CHOICES(lang, label=label, choices=choices) if choices else label
        return Question(
            name,
            spec,
            spec.group,
            label,
            hint,
            self.answers.get(name),
            prompt,
            self.completions(name),
            self.position + 1,
        )

    def answer(self, typed: str) -> Feedback:
        """Take what was typed for the current question and say what happens next."""
        name, text = self.names[self.position], typed.strip()
        spec = FIELDS[name]
        if text.casefold() in BACK:
            self.position = max(0, self.position - 1)
            self._skip_unasked(-1)
            return Feedback("back")
        if text in HELP:
            allowed = spec.allowed(self.language, self.ruleset.book)
            return Feedback("help", M.ACCEPTS(self.language, allowed=allowed))
        if text.casefold() in SKIP or (not text and name not in self.answers):
            return self.skip()
        return self._take(name, spec, text or self.answers[name])

    def skip(self) -> Feedback:
        """Leave the current question unanswered (it needs info); the patient id is needed."""
        name = self.names[self.position]
        if name == "patient_id":
            return Feedback("again", M.ID_NEEDED(self.language))
        self.answers.pop(name, None)
        self.offered.discard(name)
        self._advance()
        return Feedback("next")

    def _take(self, name: str, spec: FieldSpec, text: str) -> Feedback:
        reader = self.ruleset.reader_for(self.site.lab_uln)
        read = reader.read({**self.answers, name: text}, self.as_of)
        problem = next((e.message for e in read.errors if e.field == name), None)
        if problem is None and name == "date_of_birth":
            # a conflict with the stated age is reported on age_years, but it is this answer's
            problem = next((e.message for e in read.errors if e.field == "age_years"), None)
        if problem is not None:
            return Feedback("again", problem(self.language))
        value = read.facts.get(name)
        # What was typed is what is kept and saved ('DLBCL, GCB type', '8分', '68 µmol/L (ULN
        # 21)'): the source's detail stays for whoever checks the form, and it reads the same.
        canonical = canonical_text(spec, value) if value is not None else text
        self.answers[name] = text
        self.offered.discard(name)
        self._advance()
        if isinstance(value, Measured):
            return Feedback("next", M.READ_AS(self.language, name=value.how(self.language)))
        if spec.kind is Kind.DIAGNOSIS and value is not None:
            name_read = self.ruleset.vocabulary.describe(value, self.language)
            return Feedback("next", M.READ_AS(self.language, name=name_read))
        if value is not None and canonical != text.strip():
            # '心功能III级' -> III, '8分' -> B, '三线' -> 3: say how it was read, so it can be checked
            shown = spec.show(value, self.ruleset.vocabulary, language=self.language)
            return Feedback("next", M.READ_AS(self.language, name=shown))
        return Feedback("next")

    def skip_rest(self) -> None:
        """Leave every question not yet answered as it is (input ended)."""
        self.position = len(self.names)

    # ------------------------------------------------------------------ review

    def review(self) -> list[ReviewRow]:
        """Every field with its number and answer ("" when unanswered), for the review screen."""
        rows, lang, vocabulary = [], self.language, self.ruleset.vocabulary
        facts = self._read().facts
        for number, name in enumerate(self.names, start=1):
            spec, note = FIELDS[name], ""
            if not self.applies(name) and facts.get("age") is not None:
                note = M.REVIEW_AGE_FROM_BIRTH(lang, age=facts["age"])
            value = facts.get(name)
            # as read, in this language ('否', '58 %', 'HGBL-MYC/BCL2'); else as written
            shown = (
                spec.show(value, vocabulary, short=True, language=lang)
                if value is not None and value is not UNREADABLE
                else self.answers.get(name, "")
            )
            rows.append(ReviewRow(number, name, spec.label(lang), shown, note))
        return rows

    def revise(self, number: int) -> bool:
        """Ask question `number` (as `review` numbers them) again, then come back to the review;
        False when there is no such question."""
        if not 1 <= number <= len(self.names):
            return False
        self.position, self.reviewing = number - 1, True
        return True

    # ------------------------------------------------------------------ the form

    def form(self) -> dict[str, Any]:
        """The answers as a form (field order, then keys that are no field), to screen or save."""
        known = {name: self.answers[name] for name in self.names if name in self.answers}
        return {**known, **self.unknown}

    def partial_form(self) -> dict[str, Any]:
        """What was answered so far (or pre-filled from a form file), without the defaults only
        offered: a form `check` reads, its unanswered fields absent."""
        return {k: v for k, v in self.form().items() if k not in self.offered}

    def unknown_keys(self) -> list[FieldError]:
        """The pre-filled form's keys that are no field, as screening reports them."""
        read = self._read(self.unknown)
        return [e for e in read.errors if e.field in self.unknown]

    # ------------------------------------------------------------------ what may be answered

    def _choices(self, name: str, spec: FieldSpec) -> str:
        """What the prompt offers: the values of a choice in words the field reads, yes/no,
        the date's form, a number's range and unit."""
        lang = self.language
        match spec.kind:
            case Kind.CHOICE:
                return "/".join(self._choice_word(name, value) for value in spec.choices)
            case Kind.YES_NO:
                return f"{M.YES(lang)}/{M.NO(lang)}"
            case Kind.DATE:
                return "YYYY-MM-DD"
            case Kind.INTEGER | Kind.NUMBER:
                bounds = self.ruleset.book.field(name).range
                unit = spec.unit(lang).strip()
                if bounds is None or bounds.min is None or bounds.max is None or unit == "×ULN":
                    return unit
                return f"{bounds.min:g}–{bounds.max:g} {unit}".strip()
        return ""

    def _choice_word(self, name: str, value: str) -> str:
        """The choice `value` in this language, in a spelling the field reads back as it."""
        reader = self.ruleset.reader
        spellings = self.ruleset.book.field(name).choices.get(value, [])
        named = CHOICE_NAMES.get(value)
        candidates = [*([named(self.language)] if named else []), *spellings]
        if self.language == "zh":  # a Chinese spelling first where the book has one
            candidates.sort(key=lambda word: word.isascii())
        for word in candidates:
            if reader.reading(name, word) == (True, value):
                return word
        return value

    def completions(self, name: str) -> tuple[tuple[str, str], ...]:
        """Spellings of the field's values, each with what it reads as, that the field reads:
        choices and yes/no in both languages, the diagnosis vocabulary's codes and names."""
        known = self._completions.get(name)
        if known is not None:
            return known
        spec, book, lang = FIELDS[name], self.ruleset.book, self.language
        words: list[str] = []
        match spec.kind:
            case Kind.CHOICE:
                words = [
                    w for value, spelt in book.field(name).choices.items() for w in [value, *spelt]
                ]
            case Kind.YES_NO:
                words = [w for spelt in book.data.yes_no.values() for w in spelt]
            case Kind.DIAGNOSIS:
                for code, term in book.vocabulary.codes.items():
                    words += [code, term.abbreviation, term.name(lang), *term.synonyms]
        reader, found = self.ruleset.reader, {}
        for word in words:
            ok, value = reader.reading(name, word)
            if ok and value is not None and word not in found:
                found[word] = spec.show(value, book.vocabulary, short=True, language=lang)
        made = self._completions[name] = tuple(found.items())
        return made
