"""The patient form: its fields and how each raw value of a field is read.

Every field is declared once, on `PatientForm`, with a `FieldSpec` in its metadata that says how
raw values (form files, CSV cells, web fields, Python values) are read and what is allowed. The
same spec serves the pydantic model, the rule loader's type checks, the JSON schema and the
reasons shown to the coordinator.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

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
