"""The form wizard: the form's fields asked one at a time, in the order a clinician thinks. No I/O.

The command line shows each `Question` and passes what the coordinator typed to `Wizard.answer`;
every answer is read with the same parsers as a form file, so the same spellings are accepted
and the same messages given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cart_screen.form import FIELDS, FieldSpec
from cart_screen.i18n import Language, M, Msg
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
        for key, raw in form.items():
            name = str(key).strip().casefold()
            if name in FIELDS and raw is not None and str(raw).strip():
                answers[name] = raw if isinstance(raw, str) else str(raw)
        return cls(ruleset, as_of, language, answers, site=site)

    def __post_init__(self) -> None:
        # Shown as the default, so that Enter records the date the screen is done on.
        self.answers.setdefault("screening_date", (self.as_of or dt.date.today()).isoformat())

    @property
    def names(self) -> list[str]:
        return list(FIELDS)

    @property
    def done(self) -> bool:
        return self.position >= len(self.names)

    def question(self) -> Question:
        """The field being asked now."""
        name = self.names[self.position]
        spec = FIELDS[name]
        lang = self.language
        hint = spec.hint(lang)
        if name == "hypersensitivity_to_components" and self.ruleset.meta.components:
            components = M.LIST_SEPARATOR(lang).join(c(lang) for c in self.ruleset.meta.components)
            hint += M.COMPONENTS_HINT(lang, components=components)
        return Question(name, spec, spec.group, spec.label(lang), hint, self.answers.get(name))

    def answer(self, typed: str) -> Feedback:
        """Take what was typed for the current question and say what happens next."""
        name, text = self.names[self.position], typed.strip()
        spec = FIELDS[name]
        if text.casefold() in BACK:
            self.position = max(0, self.position - 1)
            return Feedback("back")
        if text in HELP:
            allowed = spec.allowed(self.language, self.ruleset.book)
            return Feedback("help", M.ACCEPTS(self.language, allowed=allowed))
        if text.casefold() in SKIP or (not text and name not in self.answers):
            if name == "patient_id":
                return Feedback("again", M.ID_NEEDED(self.language))
            self.answers.pop(name, None)
            self.position += 1
            return Feedback("next")
        return self._take(name, spec, text or self.answers[name])

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
        # What was typed is kept when its canonical text would not read back as the same value:
        # a lab value worked out from its unit and ULN, a code that is ambiguous written bare (FL).
        canonical = canonical_text(spec, value) if value is not None else text
        keep = isinstance(value, Measured) or reader.reading(name, canonical) != (True, value)
        self.answers[name] = text if keep else canonical
        self.position += 1
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

    def form(self) -> dict[str, str]:
        """The answers as a form (field order), ready to screen or save."""
        return {name: self.answers[name] for name in self.names if name in self.answers}
