"""The patient form: its fields, how each raw value is read, and per-field errors.

Every field is declared once, on `PatientForm`, with a `FieldSpec` in its metadata that says how
raw values (form files, CSV cells, web fields, Python values) are read and what is allowed. The
same spec serves the pydantic model, the rule loader's type checks, the JSON schema and the
reasons shown to the coordinator.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import core_schema

    from cart_screen.vocabulary import Vocabulary

from cart_screen.i18n import CHOICE_NAMES, LANGUAGES, Language, M, Msg, Said


class Kind(StrEnum):
    """What sort of value a field holds; decides which comparisons a rule may make with it."""

    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    NUMBER = "number"
    CHOICE = "choice"
    YES_NO = "yes/no"
    DIAGNOSIS = "diagnosis"


NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.NUMBER})

YES_WORDS = frozenset({"yes", "y", "true", "1", "是"})
NO_WORDS = frozenset({"no", "n", "false", "0", "否"})


class FormValueError(ValueError):
    """A raw value that cannot be read; `said` tells why and what is allowed, in both languages."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


_NO_HINT = _NO_UNIT = Said("", "")
PERCENT = Said(" %", " %")
X_ULN = Said("×ULN", "×ULN")


@dataclass(frozen=True)
class FieldSpec:
    """How one form field is read, checked and shown."""

    kind: Kind
    label: Said
    group: str
    hint: Said = _NO_HINT
    unit: Said = _NO_UNIT
    """Written right after a value ('35 %', '3.5×ULN', '56 years'), so it carries its own space."""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)

    def allowed(self, language: Language = "en") -> str:
        """Say in words what this field accepts."""
        return self.accepts()(language)

    def accepts(self) -> Said:
        """What this field accepts, in both languages."""
        match self.kind:
            case Kind.TEXT:
                return M.ALLOWED_TEXT.both()
            case Kind.DATE:
                return M.ALLOWED_DATE.both()
            case Kind.YES_NO:
                return M.ALLOWED_YES_NO.both()
            case Kind.CHOICE:
                choices = Said.join(
                    M.LIST_SEPARATOR.both(), [_choice_name(c) for c in self.choices]
                )
                extra = sorted(a for a in self.aliases if a not in self.choices)
                if not extra:
                    return Said(
                        M.ALLOWED_CHOICE("en", choices=choices.en),
                        M.ALLOWED_CHOICE("zh", choices=choices.zh),
                    )
                also = ", ".join(extra)
                return Said(
                    M.ALLOWED_CHOICE_ALSO("en", choices=choices.en, also=also),
                    M.ALLOWED_CHOICE_ALSO("zh", choices=choices.zh, also=also),
                )
            case Kind.DIAGNOSIS:
                return M.ALLOWED_DIAGNOSIS.both()
            case Kind.INTEGER | Kind.NUMBER:
                noun = M.ALLOWED_WHOLE if self.kind is Kind.INTEGER else M.ALLOWED_NUMBER
                return Said(
                    *(
                        _range_words(noun(lang), self.minimum, self.maximum, lang)
                        for lang in LANGUAGES
                    )
                )

    def parse(self, raw: Any, vocabulary: Vocabulary | None = None) -> Any:
        """Read one raw value (already known not to be blank) or raise FormValueError."""
        return _PARSERS[self.kind](self, raw, vocabulary)

    def show(
        self,
        value: Any,
        vocabulary: Vocabulary | None = None,
        *,
        short: bool = False,
        language: Language = "en",
    ) -> str:
        """Format a canonical value for a sentence: '35 %', '3.5×ULN', 'yes', 'PMBCL (…)'."""
        if self.kind is Kind.DIAGNOSIS and vocabulary is not None:
            term = vocabulary.codes.get(value)
            if term is not None:
                return term.abbreviation if short else vocabulary.describe(value, language)
        if isinstance(value, bool):
            return (M.YES if value else M.NO)(language)
        if self.kind is Kind.CHOICE:
            return _choice_name(str(value))(language)
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text + self.unit(language)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["title"] = self.label.en
        accepts = M.ACCEPTS("en", allowed=self.allowed())
        json_schema["description"] = f"{self.hint.en} {accepts}".strip()
        json_schema["x-group"] = self.group
        json_schema["x-title-zh"] = self.label.zh
        return json_schema


def _choice_name(value: str) -> Said:
    return CHOICE_NAMES.get(value, Said.same(value))


def _range_words(
    noun: str, minimum: float | None, maximum: float | None, language: Language
) -> str:
    if minimum is not None and maximum is not None:
        return M.RANGE_BETWEEN(language, noun=noun, low=f"{minimum:g}", high=f"{maximum:g}")
    if minimum is not None:
        return M.RANGE_AT_LEAST(language, noun=noun, low=f"{minimum:g}")
    if maximum is not None:
        return M.RANGE_AT_MOST(language, noun=noun, high=f"{maximum:g}")
    return noun


def _reject(spec: FieldSpec, why: Msg | None = None) -> FormValueError:
    allowed = spec.accepts()
    if why is None:
        return FormValueError(
            Said(*(M.EXPECTED(lang, allowed=allowed(lang)) for lang in LANGUAGES))
        )
    return FormValueError(
        Said(*(M.REFUSED_BECAUSE(lang, why=why(lang), allowed=allowed(lang)) for lang in LANGUAGES))
    )


def _check_range(spec: FieldSpec, number: float) -> None:
    too_low = spec.minimum is not None and number < spec.minimum
    too_high = spec.maximum is not None and number > spec.maximum
    if too_low or too_high:
        raise _reject(spec, M.OUT_OF_RANGE)


def _parse_text(spec: FieldSpec, raw: Any, _vocabulary: Vocabulary | None) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _reject(spec)
    return str(raw).strip()


def _parse_date(spec: FieldSpec, raw: Any, _vocabulary: Vocabulary | None) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise _reject(spec, M.DATE_AND_TIME)
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    # fromisoformat also takes '20261015' and week dates; the form promises YYYY-MM-DD only.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise _reject(spec)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise _reject(spec, M.NOT_A_DATE) from exc


def _to_float(spec: FieldSpec, raw: Any) -> float:
    if isinstance(raw, bool):
        raise _reject(spec)
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = str(raw).strip()
        if spec.unit is PERCENT:
            text = text.removesuffix("%").rstrip()
        try:
            # float() also takes "4_5" as 45: a typo must not become a lab value.
            if "_" in text:
                raise ValueError(text)
            number = float(text)
        except ValueError as exc:
            raise _reject(
                spec, M.NOT_WHOLE if spec.kind is Kind.INTEGER else M.NOT_A_NUMBER
            ) from exc
    if not math.isfinite(number):
        raise _reject(spec, M.NOT_FINITE)
    return number


def _parse_number(spec: FieldSpec, raw: Any, _vocabulary: Vocabulary | None) -> float:
    number = _to_float(spec, raw)
    _check_range(spec, number)
    return number


def _parse_integer(spec: FieldSpec, raw: Any, _vocabulary: Vocabulary | None) -> int:
    number = raw if isinstance(raw, int) and not isinstance(raw, bool) else _to_float(spec, raw)
    if number != int(number):
        raise _reject(spec, M.NOT_WHOLE)
    _check_range(spec, number)
    return int(number)


_CHOICES_BY_NAME = {said.zh: code for code, said in CHOICE_NAMES.items()}
"""Choices may be written in Chinese too, as the Chinese form shows them: 复发 -> relapsed."""


def _parse_choice(spec: FieldSpec, raw: Any, _vocabulary: Vocabulary | None) -> str:
    if isinstance(raw, bool):
        raise _reject(spec)
    text = str(raw).strip()
    text = _CHOICES_BY_NAME.get(text, text)
    canonical = spec.aliases.get(text.upper(), text.upper())
    for choice in spec.choices:
        if choice.upper() == canonical:
            return choice
    raise _reject(spec)


def _parse_yes_no(spec: FieldSpec, raw: Any, _vocabulary: Vocabulary | None) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    word = str(raw).strip().casefold()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise _reject(spec)


def _parse_diagnosis(spec: FieldSpec, raw: Any, vocabulary: Vocabulary | None) -> str:
    if vocabulary is None:
        from cart_screen.ruleset import default_ruleset

        vocabulary = default_ruleset().vocabulary
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _reject(spec)
    return vocabulary.lookup(str(raw))


_PARSERS: dict[Kind, Callable[[FieldSpec, Any, Vocabulary | None], Any]] = {
    Kind.TEXT: _parse_text,
    Kind.DATE: _parse_date,
    Kind.INTEGER: _parse_integer,
    Kind.NUMBER: _parse_number,
    Kind.CHOICE: _parse_choice,
    Kind.YES_NO: _parse_yes_no,
    Kind.DIAGNOSIS: _parse_diagnosis,
}

_ULN_HINT = Said(
    "×ULN = the result divided by the lab's upper limit of normal (e.g. 2.0 is twice the ULN).",
    "×ULN = 检验结果除以该实验室正常值上限（如 2.0 表示为正常值上限的 2 倍）。",
)

DiseaseStatus = Literal["relapsed", "refractory", "remission", "untreated"]
Infection = Literal["none", "controlled", "uncontrolled"]
NyhaClass = Literal["I", "II", "III", "IV"]
ChildPugh = Literal["A", "B", "C"]


class PatientForm(BaseModel):
    """One referral's form, as SPEC §2 names it; every field but `patient_id` may be missing."""

    # Built on first validation or schema: screening reads fields with their specs directly.
    model_config = ConfigDict(
        extra="forbid", frozen=True, title="HICARA referral form", defer_build=True
    )

    patient_id: Annotated[
        str | None,
        FieldSpec(
            Kind.TEXT,
            Said("Patient id", "患者编号"),
            "identity",
            Said(
                "The referral's own id; echoed in every output.",
                "转诊资料自身的编号；每份输出都会带上。",
            ),
        ),
    ] = None
    screening_date: Annotated[
        dt.date | None,
        FieldSpec(
            Kind.DATE,
            Said("Screening date", "筛查日期"),
            "identity",
            Said("The date this screen refers to.", "本次筛查所依据的日期。"),
        ),
    ] = None
    date_of_birth: Annotated[
        dt.date | None,
        FieldSpec(
            Kind.DATE,
            Said("Date of birth", "出生日期"),
            "identity",
            Said("Age is computed at the screening date.", "年龄按筛查日期计算。"),
        ),
    ] = None
    age_years: Annotated[
        int | None,
        FieldSpec(
            Kind.INTEGER,
            Said("Age (years)", "年龄（岁）"),
            "identity",
            Said("Only when the date of birth is not known.", "仅在出生日期不详时填写。"),
            minimum=0,
            maximum=120,
        ),
    ] = None
    diagnosis: Annotated[
        str | None,
        FieldSpec(
            Kind.DIAGNOSIS,
            Said("Diagnosis", "诊断"),
            "disease",
            Said(
                "Lymphoma subtype (WHO/ICC name, abbreviation or Chinese name).",
                "淋巴瘤亚型（WHO/ICC 名称、缩写或中文名称）。",
            ),
        ),
    ] = None
    disease_status: Annotated[
        DiseaseStatus | None,
        FieldSpec(
            Kind.CHOICE,
            Said("Disease status", "疾病状态"),
            "disease",
            Said("Current status of the lymphoma.", "淋巴瘤目前的状态。"),
            choices=("relapsed", "refractory", "remission", "untreated"),
        ),
    ] = None
    prior_systemic_lines: Annotated[
        int | None,
        FieldSpec(
            Kind.INTEGER,
            Said("Prior systemic lines", "既往系统治疗线数"),
            "disease",
            Said(
                "Completed lines of systemic therapy (salvage + transplant = one line).",
                "已完成的系统治疗线数（挽救化疗加移植算一线）。",
            ),
            minimum=0,
        ),
    ] = None
    active_infection: Annotated[
        Infection | None,
        FieldSpec(
            Kind.CHOICE,
            Said("Active infection", "活动性感染"),
            "infection",
            Said(
                "Uncontrolled = needs IV antimicrobials, not improving, or untreated viraemia.",
                "未控制 = 需静脉抗感染治疗、未见好转，或病毒血症未经治疗。",
            ),
            choices=("none", "controlled", "uncontrolled"),
        ),
    ] = None
    hypersensitivity_to_components: Annotated[
        bool | None,
        FieldSpec(
            Kind.YES_NO,
            Said("Hypersensitivity to product components", "对本品成分过敏"),
            "infection",
            Said(
                "Known hypersensitivity to a component of the product.", "已知对本品某种成分过敏。"
            ),
        ),
    ] = None
    lvef_percent: Annotated[
        float | None,
        FieldSpec(
            Kind.NUMBER,
            Said("LVEF", "LVEF（左心室射血分数）"),
            "heart",
            Said(
                "Left-ventricular ejection fraction (echo or MUGA).",
                "左心室射血分数（超声心动图或 MUGA）。",
            ),
            unit=PERCENT,
            minimum=0,
            maximum=100,
        ),
    ] = None
    nyha_class: Annotated[
        NyhaClass | None,
        FieldSpec(
            Kind.CHOICE,
            Said("NYHA class", "NYHA 心功能分级"),
            "heart",
            Said(
                "I no limitation; II slight; III marked (symptoms on less than ordinary activity); "
                "IV symptoms at rest.",
                "I 级活动不受限；II 级轻度受限；III 级明显受限（低于日常活动即有症状）；IV 级静息时有症状。",
            ),
            choices=("I", "II", "III", "IV"),
            aliases={"1": "I", "2": "II", "3": "III", "4": "IV"},
        ),
    ] = None
    total_bilirubin_x_uln: Annotated[
        float | None,
        FieldSpec(
            Kind.NUMBER,
            Said("Total bilirubin", "总胆红素"),
            "liver",
            _ULN_HINT,
            unit=X_ULN,
            minimum=0,
        ),
    ] = None
    ast_x_uln: Annotated[
        float | None,
        FieldSpec(Kind.NUMBER, Said("AST", "AST"), "liver", _ULN_HINT, unit=X_ULN, minimum=0),
    ] = None
    alt_x_uln: Annotated[
        float | None,
        FieldSpec(Kind.NUMBER, Said("ALT", "ALT"), "liver", _ULN_HINT, unit=X_ULN, minimum=0),
    ] = None
    child_pugh_class: Annotated[
        ChildPugh | None,
        FieldSpec(
            Kind.CHOICE,
            Said("Child-Pugh class", "Child-Pugh 分级"),
            "liver",
            Said(
                "Where known: A 5–6 points, B 7–9, C 10–15.",
                "如已知：A 级 5–6 分，B 级 7–9 分，C 级 10–15 分。",
            ),
            choices=("A", "B", "C"),
        ),
    ] = None
    on_immunosuppressants: Annotated[
        bool | None,
        FieldSpec(
            Kind.YES_NO,
            Said("On immunosuppressants", "正在使用免疫抑制剂"),
            "medicines",
            Said(
                "Current systemic immunosuppressants, or corticosteroids above physiological dose "
                "(more than 10 mg/day prednisone-equivalent).",
                "目前使用全身性免疫抑制剂，或超过生理剂量的糖皮质激素（泼尼松当量每日超过 10 mg）。",
            ),
        ),
    ] = None
    recent_live_vaccine: Annotated[
        bool | None,
        FieldSpec(
            Kind.YES_NO,
            Said("Recent or planned live vaccine", "近期接种或计划接种活疫苗"),
            "medicines",
            Said(
                "A live vaccine in the last 6 weeks, or one planned.",
                "近 6 周内接种过活疫苗，或计划接种。",
            ),
        ),
    ] = None
    other_anticancer_therapy: Annotated[
        bool | None,
        FieldSpec(
            Kind.YES_NO,
            Said("Other anticancer therapy", "其他抗肿瘤治疗"),
            "medicines",
            Said(
                "Other anticancer therapy ongoing or planned around the infusion.",
                "输注前后正在进行或计划进行其他抗肿瘤治疗。",
            ),
        ),
    ] = None
    icu_available: Annotated[
        bool | None,
        FieldSpec(
            Kind.YES_NO,
            Said("Intensive care available", "具备重症监护条件"),
            "site",
            Said("The treating site has intensive-care capability.", "治疗机构具备重症监护能力。"),
        ),
    ] = None

    @field_validator("*", mode="before")
    @classmethod
    def _read_raw(cls, raw: Any, info: ValidationInfo) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        spec = FIELDS[info.field_name or ""]
        vocabulary = (info.context or {}).get("vocabulary")
        try:
            return spec.parse(raw, vocabulary)
        except FormValueError as exc:
            raise PydanticCustomError("form_value", exc.said.en) from exc


def _collect_specs() -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for name, info in PatientForm.model_fields.items():
        (spec,) = (m for m in info.metadata if isinstance(m, FieldSpec))
        specs[name] = spec
    return specs


FIELDS: dict[str, FieldSpec] = _collect_specs()
"""Every form field's spec, in form order (the order a clinician thinks in)."""

AGE = FieldSpec(
    Kind.INTEGER,
    Said("Age", "年龄"),
    "identity",
    Said("Computed from date of birth, else age in years.", "按出生日期计算，否则取年龄（岁）。"),
    unit=Said(" years", " 岁"),
)
DERIVED: dict[str, tuple[FieldSpec, tuple[str, ...]]] = {
    "age": (AGE, ("date_of_birth", "age_years")),
}
"""Facts computed from the form, each with the form fields that supply it."""


class FieldError(NamedTuple):
    """A value that could not be read: where, what was given, and what is allowed."""

    field: str
    value: Any
    message: Said


class ReadForm(NamedTuple):
    """A form as read: the facts rules use (the clean values and what is derived from them),
    the screening date, and what could not be read."""

    facts: Mapping[str, Any]
    screening_date: dt.date
    errors: tuple[FieldError, ...]
    defaulted: frozenset[str] = frozenset()
    """Site fields the form left blank and the site-wide default filled in."""

    @property
    def patient_id(self) -> str | None:
        value: str | None = self.facts.get("patient_id")
        return value

    @property
    def form(self) -> PatientForm:
        """The clean values as the pydantic model."""
        return PatientForm.model_construct(**{k: v for k, v in self.facts.items() if k in FIELDS})


def normalize_key(key: object) -> str:
    """Match field names as SPEC says: ignoring case and surrounding spaces."""
    return str(key).strip().casefold()


def _jsonable(raw: Any) -> Any:
    if raw is None or isinstance(raw, str | bool | int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw):
        return raw
    return str(raw)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day`; someone born on 29 February turns a year older on 1 March."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_MEMO_LIMITS = {Kind.DATE: 40_000}
"""Distinct text values remembered per field (dates: every birthday of a century); others 4096."""

_Reading = tuple[bool, Any]
"""How one text value reads: (True, value or None for blank) or (False, the error message)."""


class FormReader:
    """Reads raw forms for one vocabulary; never raises for a bad value.

    Parsing is pure, so each field remembers how the text values it has seen read: a referral
    list repeats the same few spellings of yes/no, subtypes, dates and lab values on every row.
    Memory stays bounded: each field remembers a limited number of distinct values.
    """

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self._memo: dict[str, dict[str, _Reading]] = {name: {} for name in FIELDS}

    def _reading(self, name: str, text: str) -> _Reading:
        """How a text value of field `name` reads, remembered for next time."""
        memo = self._memo[name]
        known = memo.get(text)
        if known is not None:
            return known
        spec = FIELDS[name]
        if not text.strip():
            known = (True, None)
        else:
            try:
                known = (True, spec.parse(text, self.vocabulary))
            except FormValueError as exc:
                known = (False, exc.said)
        # patient ids are all different: remembering them would only cost memory
        if spec.kind is not Kind.TEXT and len(memo) < _MEMO_LIMITS.get(spec.kind, 4_096):
            memo[text] = known
        return known

    def parse_fields(self, raw: Mapping[Any, Any]) -> tuple[dict[str, Any], list[FieldError]]:
        """Read each known field of a raw mapping; an error for each value that can't be read."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        seen: set[str] = set()
        for key, value in raw.items():
            name = key if key in FIELDS else normalize_key(key)
            if name not in FIELDS:
                errors.append(FieldError(str(key), _jsonable(value), M.UNKNOWN_FIELD.both()))
                continue
            if name in seen:
                # "LVEF_percent" and "lvef_percent" both given: neither is taken on trust.
                values.pop(name, None)
                errors.append(FieldError(name, _jsonable(value), M.GIVEN_TWICE.both()))
                continue
            seen.add(name)
            if isinstance(value, str):
                self._keep(name, value, self._reading(name, value), values, errors)
            elif value is not None:
                try:
                    values[name] = FIELDS[name].parse(value, self.vocabulary)
                except FormValueError as exc:
                    errors.append(FieldError(name, _jsonable(value), exc.said))
        return values, errors

    def parse_cells(
        self, fields: Sequence[tuple[int, str]], cells: Sequence[str]
    ) -> tuple[dict[str, Any], list[FieldError]]:
        """Read a CSV record's cells: `fields` pairs each form field with its column."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        memos = self._memo
        for index, name in fields:
            text = cells[index]
            known = memos[name].get(text) or self._reading(name, text)
            if known[0]:
                if known[1] is not None:
                    values[name] = known[1]
            else:
                errors.append(FieldError(name, text, known[1]))
        return values, errors

    @staticmethod
    def _keep(
        name: str, text: str, known: _Reading, values: dict[str, Any], errors: list[FieldError]
    ) -> None:
        if not known[0]:
            errors.append(FieldError(name, text, known[1]))
        elif known[1] is not None:
            values[name] = known[1]

    def read(
        self,
        raw: Mapping[Any, Any] | PatientForm,
        as_of: dt.date | None = None,
        site: Mapping[str, Any] | None = None,
    ) -> ReadForm:
        """Read a raw form into clean values, derived facts and errors.

        `site` holds site-wide defaults (see SITE_FIELDS, read with `read_site_defaults`).
        """
        if isinstance(raw, PatientForm):
            values = raw.model_dump(exclude_none=True)
            errors: list[FieldError] = []
        else:
            values, errors = self.parse_fields(raw)
        return self.derive(values, errors, as_of, site)

    def read_cells(
        self,
        fields: Sequence[tuple[int, str]],
        cells: Sequence[str],
        as_of: dt.date,
        site: Mapping[str, Any] | None = None,
    ) -> ReadForm:
        """Read one CSV record (see parse_cells)."""
        values, errors = self.parse_cells(fields, cells)
        return self.derive(values, errors, as_of, site)

    @staticmethod
    def derive(
        values: dict[str, Any],
        errors: list[FieldError],
        as_of: dt.date | None,
        site: Mapping[str, Any] | None = None,
    ) -> ReadForm:
        """Add what is computed or defaulted: screening date, age, cross-field errors, site facts."""
        screening_date = values.get("screening_date") or as_of or dt.date.today()
        age, birth_ok = _age(values, screening_date, errors)
        if not birth_ok:
            del values["date_of_birth"]
        defaulted = []
        for name, value in (site or {}).items():
            # Only a blank is filled in: a value that could not be read stays an error.
            if name not in values and not any(e.field == name for e in errors):
                values[name] = value
                defaulted.append(name)
        values["age"] = age
        return ReadForm(values, screening_date, tuple(errors), frozenset(defaulted))


SITE_FIELDS = ("icu_available",)
"""Fields that describe the treating site, not the patient: the only ones a site-wide default
may fill in (SPEC §2). A patient's data is never defaulted: missing stays needs_info."""


def read_site_defaults(raw: Mapping[str, Any]) -> dict[str, Any]:
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
            defaults[name] = FIELDS[name].parse(value)
        except FormValueError as exc:
            raise FormValueError(Said(f"{name}: {exc.said.en}", f"{name}：{exc.said.zh}")) from exc
    return defaults


def _age(
    values: Mapping[str, Any], screening_date: dt.date, errors: list[FieldError]
) -> tuple[int | None, bool]:
    """Age from date of birth, else age in years, and whether the date of birth stands.

    A date of birth after the screening date, or one that disagrees with age_years by more than
    a year, is an error; a conflict leaves the age unknown.
    """
    birth: dt.date | None = values.get("date_of_birth")
    stated_age: int | None = values.get("age_years")
    if birth is None:
        return stated_age, True
    if birth > screening_date:
        message = M.BIRTH_AFTER_SCREENING.both(day=screening_date.isoformat())
        errors.append(FieldError("date_of_birth", birth.isoformat(), message))
        return stated_age, False
    age = age_on(birth, screening_date)
    if stated_age is not None and abs(stated_age - age) > 1:
        errors.append(FieldError("age_years", stated_age, M.AGE_CONFLICT.both(age=age)))
        return None, True
    return age, True


def read_form(
    raw: Mapping[Any, Any] | PatientForm,
    vocabulary: Vocabulary,
    as_of: dt.date | None = None,
) -> ReadForm:
    """Read one raw form (see FormReader.read)."""
    return FormReader(vocabulary).read(raw, as_of)


class FormFileError(Exception):
    """A form file that cannot be read at all (missing, not YAML/JSON, not one mapping)."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


class _FormLoader(yaml.SafeLoader):
    """YAML that keeps every scalar as text but null, and refuses a key given twice.

    The form's own parsers read the text; YAML 1.1 would otherwise turn `00123` into 83, `no` into
    false for a patient id, or `1:20` into 80. PyYAML keeps the last of two equal keys without a
    word: `lvef_percent: 35` could silently become 55.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_FormLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _RepeatedKey(ValueError):
    """A JSON object with one key twice."""


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON too keeps the last of two equal keys without a word; a form must not."""
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _RepeatedKey(key)
        mapping[key] = value
    return mapping


def load_form_file(path: Path) -> Mapping[str, Any]:
    """Read one patient form from a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise FormFileError(M.FORM_NO_FILE.both(path=path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise FormFileError(M.FORM_UNREADABLE.both(path=path, kind=type(exc).__name__)) from exc
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=_refuse_repeated_keys)
        else:
            data = yaml.load(text, Loader=_FormLoader)
    except _RepeatedKey as exc:
        detail = f"key {exc.args[0]!r} is given twice"
        raise FormFileError(M.FORM_BAD_JSON.both(where=path, detail=detail)) from exc
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise FormFileError(M.FORM_BAD_JSON.both(where=where, detail=exc.msg)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise FormFileError(M.FORM_BAD_YAML.both(where=where, detail=exc.problem)) from exc
    except yaml.YAMLError as exc:
        raise FormFileError(M.FORM_BAD_YAML.both(where=path, detail="")) from exc
    if not isinstance(data, dict):
        raise FormFileError(M.FORM_NOT_MAPPING.both(path=path))
    return data
