"""Pure screening: (ruleset, form) -> result, with three-valued (Kleene) logic. No I/O.

A comparison with a missing *required* field is unknown; with a missing *optional* field it is
false. `any`/`all`/`not` combine as SQL's NULL logic does. True -> flagged, false -> clear,
unknown -> needs_info. Missing is never false for a required field, so it never becomes clear.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple

from cart_screen.form import DERIVED, FIELDS
from cart_screen.i18n import Language, M, Msg
from cart_screen.reading import UNREADABLE, FieldError, ReadForm
from cart_screen.result import (
    FieldErrorOut,
    Item,
    Outcome,
    RulesetRef,
    ScreeningResult,
    SiteRef,
    Status,
    outcome_of,
)
from cart_screen.ruleset import (
    AllOf,
    AnyOf,
    Condition,
    Leaf,
    Member,
    Not,
    Rule,
    Ruleset,
    leaves,
    spec_of,
)
from cart_screen.site import NO_SITE, Site
from cart_screen.values.kinds import Kind

Truth = bool | None
"""Kleene truth: True, False, or None for unknown."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}

STATUS_OF_TRUTH: dict[Truth, Status] = {True: "flagged", False: "clear", None: "needs_info"}


Predicate = Callable[[Mapping[str, Any]], Truth]


def compile_condition(
    condition: Condition, required: Collection[str], into: dict[int, Predicate] | None = None
) -> Predicate:
    """Turn a condition into a predicate over facts; `into` collects one for every part by id."""
    predicate: Predicate
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            # One true part decides `any`, one false part decides `all`; else unknown wins.
            decisive = isinstance(condition, AnyOf)
            compiled = [compile_condition(part, required, into) for part in parts]

            def predicate(facts: Mapping[str, Any]) -> Truth:
                seen_unknown = False
                for part in compiled:
                    value = part(facts)
                    if value is decisive:
                        return decisive
                    seen_unknown |= value is None
                return None if seen_unknown else not decisive

        case Not(condition=inner):
            compiled_inner = compile_condition(inner, required, into)

            def predicate(facts: Mapping[str, Any]) -> Truth:
                value = compiled_inner(facts)
                return None if value is None else not value

        case _:
            predicate = _compile_leaf(condition, required)
    if into is not None:
        into[id(condition)] = predicate
    return predicate


def _compile_leaf(leaf: Leaf, required: Collection[str]) -> Predicate:
    field = leaf.field
    if_missing: Truth = None if field in required else False
    if isinstance(leaf, Member):
        members = frozenset(leaf.values)
        inside = leaf.op == "in"

        def member(facts: Mapping[str, Any]) -> Truth:
            value = facts.get(field)
            if value is None:
                return if_missing
            return None if value is UNREADABLE else (value in members) is inside

        return member
    compare, limit = _COMPARE[leaf.op], leaf.value

    def comparison(facts: Mapping[str, Any]) -> Truth:
        value = facts.get(field)
        if value is None:
            return if_missing
        return None if value is UNREADABLE else compare(value, limit)

    return comparison


def truth(condition: Condition, facts: Mapping[str, Any], required: Collection[str]) -> Truth:
    """Evaluate a condition over the facts in Kleene logic (compiling it first)."""
    return compile_condition(condition, required)(facts)


class Judge:
    """A ruleset's conditions compiled once into predicates, the whole tree of each rule."""

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset
        self._parts: dict[int, Predicate] = {}
        self._rules = [
            compile_condition(rule.flag_when, frozenset(rule.required), self._parts)
            for rule in ruleset.rules
        ]
        self._advisory = [
            compile_condition(rule.flag_when, frozenset(rule.required), self._parts)
            for rule in ruleset.advisory
        ]
        self.phrases: dict[tuple[Any, ...], str] = {}
        """The words of each comparison already said (see _Explanation.phrase)."""
        self._leaves: dict[int, list[Predicate]] = {}
        self._walks: dict[tuple[Truth | int, ...], Walked] = {}
        """What explaining a rule says, by the rule, the truth wanted and its comparisons'
        truths (see `walked`)."""

    def statuses(self, facts: Mapping[str, Any]) -> tuple[Status, ...]:
        """Each rule's status for these facts, in ruleset order."""
        return tuple([STATUS_OF_TRUTH[rule(facts)] for rule in self._rules])

    def advisory_statuses(self, facts: Mapping[str, Any]) -> tuple[Status, ...]:
        """Each advisory check's status for these facts, in file order."""
        return tuple([STATUS_OF_TRUTH[rule(facts)] for rule in self._advisory])

    @property
    def rule_predicates(self) -> list[Predicate]:
        """Each rule's whole condition, compiled, in ruleset order."""
        return self._rules

    @property
    def advisory_predicates(self) -> list[Predicate]:
        """Each advisory check's whole condition, compiled, in file order."""
        return self._advisory

    def part(self, condition: Condition) -> Predicate:
        """The compiled predicate of one part of a rule's condition."""
        return self._parts[id(condition)]

    def truth(self, condition: Condition, facts: Mapping[str, Any]) -> Truth:
        """The truth of one part of a rule's condition (for explaining the result)."""
        return self._parts[id(condition)](facts)

    def walked(self, rule: Rule, want: Truth, facts: Mapping[str, Any]) -> Walked:
        """Which comparisons a rule's reason says (each with the truth it held) or which facts
        it misses, for these facts. Which parts of a rule's condition a reason names depends
        only on the truths of its comparisons, so the walk through the condition is made once
        for each combination of truths; the words come from each comparison's value (phrase)."""
        predicates = self._leaves.get(id(rule))
        if predicates is None:
            predicates = self._leaves[id(rule)] = list(map(self.part, leaves(rule.flag_when)))
        key: tuple[Truth | int, ...] = (id(rule), want, *[p(facts) for p in predicates])
        found = self._walks.get(key)
        if found is None:
            walk = _Walk(self, facts)
            walk.walk(rule.flag_when, want)
            found = self._walks[key] = Walked(tuple(walk.said), tuple(walk.missing))
        return found


PHRASES_REMEMBERED = 1 << 16
"""Phrases a judge remembers before it starts afresh."""


@functools.cache
def judge_for(ruleset: Ruleset) -> Judge:
    """The compiled judge of a ruleset, built on first use."""
    return Judge(ruleset)


# ---------------------------------------------------------------- reasons in plain words

_PHRASES: dict[tuple[str, bool], Msg] = {
    ("lt", True): M.PHRASE_LT_TRUE,
    ("lt", False): M.PHRASE_LT_FALSE,
    ("le", True): M.PHRASE_LE_TRUE,
    ("le", False): M.PHRASE_LE_FALSE,
    ("gt", True): M.PHRASE_GT_TRUE,
    ("gt", False): M.PHRASE_GT_FALSE,
    ("ge", True): M.PHRASE_GE_TRUE,
    ("ge", False): M.PHRASE_GE_FALSE,
    ("eq", True): M.PHRASE_IS,
    ("eq", False): M.PHRASE_IS_NOT,
    ("ne", True): M.PHRASE_IS_NOT,
    ("ne", False): M.PHRASE_IS,
    ("in", True): M.PHRASE_IN,
    ("in", False): M.PHRASE_NOT_IN,
    ("not_in", True): M.PHRASE_NOT_IN,
    ("not_in", False): M.PHRASE_IN,
}


class Walked(NamedTuple):
    """What a rule's reason names: the comparisons said, with the truth each held (flagged or
    clear), or the facts missing (needs info)."""

    said: tuple[tuple[Leaf, bool], ...]
    missing: tuple[str, ...]


class _Walk:
    """Walks a rule's condition, collecting the comparisons (or missing facts) behind its truth."""

    def __init__(self, judge: Judge, facts: Mapping[str, Any]) -> None:
        self.judge, self.facts = judge, facts
        self.said: list[tuple[Leaf, bool]] = []
        self.missing: list[str] = []

    def walk(self, condition: Condition, want: Truth) -> None:
        match condition:
            case AnyOf(of=parts) | AllOf(of=parts):
                # any: true because of its true parts, false because of all; all: the reverse.
                every = want is (not isinstance(condition, AnyOf))
                for part in parts:
                    if every or self.judge.truth(part, self.facts) is want:
                        self.walk(part, want)
            case Not(condition=inner):
                self.walk(inner, None if want is None else not want)
            case _ if want is None:
                if condition.field not in self.missing:
                    self.missing.append(condition.field)
            case _:
                self.said.append((condition, want))


class _Explanation:
    """Says a rule's comparisons (or the missing facts) in words, with the values used."""

    def __init__(
        self,
        judge: Judge,
        facts: Mapping[str, Any],
        language: Language,
        defaulted: frozenset[str],
    ) -> None:
        self.judge, self.facts, self.language = judge, facts, language
        self.defaulted = defaulted
        self.vocabulary = judge.ruleset.vocabulary

    def words(self, leaf: Leaf, held: bool) -> str:
        """One comparison in words, with the value used: 'LVEF 35 % is below 40 %'."""
        spec, lang, value = spec_of(leaf.field), self.language, self.facts.get(leaf.field)
        assert spec is not None  # the loader refused unknown fields
        label = spec.label(lang)
        if value is None:  # an optional field not recorded (one not readable is unknown)
            return M.OPTIONAL_MISSING(lang, label=label)
        if isinstance(leaf, Member):
            shown = [spec.show(v, self.vocabulary, short=True, language=lang) for v in leaf.values]
            limit = M.LIST_SEPARATOR(lang).join(shown)
        else:
            limit = spec.show(leaf.value, self.vocabulary, language=lang)
        template = M.PHRASE_IS if spec.kind is Kind.YES_NO else _PHRASES[(leaf.op, held)]
        against = None if isinstance(leaf, Member) else leaf.value
        shown_value = spec.show(value, self.vocabulary, language=lang, against=against)
        phrase = template(lang, label=label, value=shown_value, limit=limit)
        if held and leaf.basis is not None:
            phrase += M.PHRASE_BASIS(lang, basis=leaf.basis(lang))
        if leaf.field in self.defaulted:
            phrase += M.SITE_DEFAULT(lang)
        return phrase


def needed(fact: str, errors: Mapping[str, FieldError], language: Language) -> str:
    """What would resolve one missing fact: its value, or — where its sources could not be read —
    what they held (one part of a needs-info reason, see ReasonFrame)."""
    spec, sources = DERIVED[fact] if fact in DERIVED else (FIELDS[fact], (fact,))
    unreadable = [errors[s] for s in sources if s in errors]
    parts = []
    for error in unreadable:
        label = FIELDS[error.field].label(language)
        value = repr(error.value)
        parts.append(M.NEEDS_UNREADABLE(language, label=label, field=error.field, value=value))
    if not unreadable:
        fields = M.OR(language).join(sources)
        parts.append(M.NEEDS_MISSING(language, label=spec.label(language), fields=fields))
    return M.SEPARATOR(language).join(parts)


def reason(
    judge: Judge,
    rule: Rule,
    status: Status,
    facts: Mapping[str, Any],
    errors: Mapping[str, FieldError],
    language: Language = "en",
    defaulted: frozenset[str] = frozenset(),
) -> str:
    """Why a rule came out as it did, with the values used, or which data would resolve it: its
    frame (reason_frame) around its pieces, as the column-wise path puts it together too."""
    said, missing = said_of(judge, rule, status, facts)
    before, separator, after = reason_frame(status, language)
    if status == "needs_info":
        pieces = [needed(fact, errors, language) for fact in missing]
    else:
        pieces = _phrases(judge, said, facts, language, defaulted)
    return before + separator.join(pieces) + after


class ReasonFrame(NamedTuple):
    """How a reason is put together from its pieces: `before + separator.join(pieces) + after`,
    where the pieces are the words of the comparisons said (phrase), or for an item that needs
    information, what would resolve each missing fact (needed)."""

    before: str
    separator: str
    after: str


@functools.cache
def reason_frame(status: Status, language: Language) -> ReasonFrame:
    """The frame of a reason with this status, in this language (see `reason`)."""
    separator, end = _PUNCTUATION.get(language, _PUNCTUATION["en"])
    if status != "needs_info":
        return ReasonFrame("", separator, end)
    before, after = M.NEEDS(language, parts="\0").split("\0")
    return ReasonFrame(before, M.SEPARATOR(language), after)


def said_of(judge: Judge, rule: Rule, status: Status, facts: Mapping[str, Any]) -> Walked:
    """What a rule's reason names for these facts and this status (Judge.walked): the
    comparisons said, each with the truth it held, or the facts missing."""
    return judge.walked(rule, _WANTED[status], facts)


def phrase(
    judge: Judge,
    leaf: Leaf,
    held: bool,
    facts: Mapping[str, Any],
    language: Language,
    defaulted: frozenset[str],
) -> str:
    """One comparison in words, as a reason says it (one piece of a reason, see ReasonFrame)."""
    return _phrases(judge, ((leaf, held),), facts, language, defaulted)[0]


def _phrases(
    judge: Judge,
    said: Sequence[tuple[Leaf, bool]],
    facts: Mapping[str, Any],
    language: Language,
    defaulted: frozenset[str],
) -> list[str]:
    """Each comparison in words (_Explanation.words), remembered by the judge: a list says the
    same few values again and again."""
    phrases, found = judge.phrases, []
    for leaf, held in said:
        value = facts.get(leaf.field)
        # The type and how it was worked out too: 3.0 and a Measured 3.0 are equal numbers.
        how = getattr(value, "how", None)
        key = (id(leaf), held, language, leaf.field in defaulted, type(value), value, how)
        try:
            known = phrases.get(key)
        except TypeError:  # a value that cannot be a key: said afresh
            explanation = _Explanation(judge, facts, language, defaulted)
            found.append(explanation.words(leaf, held))
            continue
        if known is None:
            if len(phrases) >= PHRASES_REMEMBERED:
                phrases.clear()
            explanation = _Explanation(judge, facts, language, defaulted)
            known = phrases[key] = explanation.words(leaf, held)
        found.append(known)
    return found


_WANTED: dict[Status, Truth] = {"flagged": True, "clear": False, "needs_info": None}
_PUNCTUATION: dict[Language, tuple[str, str]] = {
    language: (M.SEPARATOR(language), M.SENTENCE_END(language)) for language in ("en", "zh")
}


# ---------------------------------------------------------------- verdicts and results


class Verdict(NamedTuple):
    """The decisions of a screen without the words: enough for a batch row or a summary."""

    patient_id: str | None
    outcome: Outcome
    statuses: tuple[Status, ...]
    errors: tuple[FieldError, ...]
    screening_date: dt.date
    advisory: tuple[Status, ...] | None = None
    """Each advisory check's status, or None when they did not run (off, or no patient id).
    They never enter the outcome."""


def decide(ruleset: Ruleset, read: ReadForm, advisory: bool = True) -> Verdict:
    """Every rule's status for one read form; outcome `error` when it has no patient id.

    The outcome comes from the label's rules alone; with `advisory`, the advisory checks run
    beside them (SPEC §11).
    """
    errors = read.errors
    if not read.patient_id:
        if not any(e.field == "patient_id" for e in errors):
            errors = (FieldError("patient_id", None, M.MISSING_ID.both()), *errors)
        return Verdict(None, "error", (), errors, read.screening_date)
    judge = judge_for(ruleset)
    statuses = judge.statuses(read.facts)
    advised = judge.advisory_statuses(read.facts) if advisory else None
    outcome = outcome_of(statuses)
    return Verdict(read.patient_id, outcome, statuses, errors, read.screening_date, advised)


def advisory_ids(ruleset: Ruleset, site: Site = NO_SITE) -> tuple[str, ...]:
    """The ids of the advisory checks that run with these site settings (none when off)."""
    return tuple(rule.id for rule in ruleset.advisory) if site.advisory else ()


def ruleset_ref(ruleset: Ruleset) -> RulesetRef:
    """The result's pointer to the exact rules used."""
    return RulesetRef.model_construct(
        id=ruleset.id, label_revision=ruleset.meta.label_revision, sha256=ruleset.sha256
    )


def site_ref(site: Site) -> SiteRef | None:
    """The result's pointer to the site settings used, or None when there were none."""
    if site.empty:
        return None
    return SiteRef.model_construct(name=site.name, sha256=site.sha256, settings=site.settings())


def item_shared(rule: Rule, language: Language) -> dict[str, Any]:
    """What a rule's item says whatever the patient (result.SHARED_ITEM_KEYS)."""
    return {
        "rule_id": rule.id,
        "category": rule.category,
        "severity": rule.severity,
        "title": rule.title(language),
        "source": rule.label(language),
        "note": rule.note(language) if rule.note else None,
    }


def shared_of(ruleset: Ruleset, language: Language, site: Site) -> dict[str, Any]:
    """What every result screened with these rules, language and site says alike, as JSON
    (result.shared_part of any of them)."""
    found, advised = site_ref(site), advisory_ids(ruleset, site)
    return {
        "notice": M.NOTICE(language),
        "ruleset": ruleset_ref(ruleset).model_dump(mode="json"),
        "language": language,
        "site": found.model_dump(mode="json") if found is not None else None,
        "items": [item_shared(rule, language) for rule in ruleset.rules],
        "advisory": [item_shared(rule, language) for rule in ruleset.advisory] if advised else [],
        "advisory_checked": bool(advised),
    }


def result_of(
    ruleset: Ruleset,
    verdict: Verdict,
    facts: Mapping[str, Any],
    language: Language = "en",
    defaulted: frozenset[str] = frozenset(),
    site: Site = NO_SITE,
) -> ScreeningResult:
    """The full result: a verdict with each item's title, reason and label citation."""
    judge = judge_for(ruleset)
    by_field = {e.field: e for e in verdict.errors}

    def items_of(rules: Sequence[Rule], statuses: Sequence[Status]) -> list[Item]:
        return [
            Item.model_construct(
                **item_shared(rule, language),
                status=status,
                reason=reason(judge, rule, status, facts, by_field, language, defaulted),
            )
            for rule, status in zip(rules, statuses, strict=True)
        ]

    screened = verdict.outcome != "error"
    items = items_of(ruleset.rules, verdict.statuses) if screened else []
    advised = verdict.advisory if screened else None
    advisory = items_of(ruleset.advisory, advised) if advised is not None else []
    errors = [
        FieldErrorOut.model_construct(field=e.field, value=e.value, message=e.message(language))
        for e in verdict.errors
    ]
    return ScreeningResult.model_construct(
        patient_id=verdict.patient_id,
        outcome=verdict.outcome,
        items=items,
        advisory=advisory,
        advisory_checked=advised is not None,
        errors=errors,
        notice=M.NOTICE(language),
        ruleset=ruleset_ref(ruleset),
        screening_date=verdict.screening_date,
        language=language,
        site=site_ref(site),
    )


def evaluate(
    ruleset: Ruleset, read: ReadForm, language: Language = "en", site: Site = NO_SITE
) -> ScreeningResult:
    """Screen one read form against every rule, in ruleset order (and the advisory checks,
    unless the site turned them off)."""
    verdict = decide(ruleset, read, site.advisory)
    return result_of(ruleset, verdict, read.facts, language, read.defaulted, site)
