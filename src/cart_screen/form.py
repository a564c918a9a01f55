"""Layer 2: the patient form — its fields, what sort of value each holds, and how it is shown.

Every field is declared once, on `PatientForm`, with a `FieldSpec` in its metadata: its kind,
label, hint and group. How its values are written (spellings, ranges, units) is data, read by the
value book (`cart_screen.values`, layer 1) for form files, CSV cells, web fields and Python values
alike. The same spec serves the pydantic model, the rule loader's type checks, the JSON schema
and the reasons shown to the coordinator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cart_screen.i18n import CHOICE_NAMES, Language, M, Said
from cart_screen.values.book import FieldValues, ValueBook, shipped_book
from cart_screen.values.kinds import Kind
from cart_screen.values.text import FormValueError, Measured, Shown, apart
from cart_screen.values.vocabulary import Vocabulary

if TYPE_CHECKING:
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import core_schema

_NO_HINT = _NO_UNIT = Said("", "")
PERCENT = Said(" %", " %")
X_ULN = Said("×ULN", "×ULN")


@dataclass(frozen=True)
class FieldSpec:
    """How one form field is shown and what sort of value it holds.

    How its values are written (spellings, ranges, units) is data, in the value book
    (rules/…/values.yaml): `parse` and `accepts` ask the book for this field.
    """

    kind: Kind
    label: Said
    group: str
    hint: Said = _NO_HINT
    unit: Said = _NO_UNIT
    """Written right after a value ('35 %', '3.5×ULN', '56 years'), so it carries its own space."""
    choices: tuple[str, ...] = ()
    name: str = ""
    """The field's name on the form (filled in when FIELDS is built)."""

    def allowed(self, language: Language = "en", book: ValueBook | None = None) -> str:
        """Say in words what this field accepts."""
        return self.accepts(book)(language)

    def accepts(self, book: ValueBook | None = None) -> Said:
        """What this field accepts, in both languages."""
        return (book or shipped_book()).accepts(self.name, self.kind)

    def parse(self, raw: Any, book: ValueBook | None = None) -> Any:
        """Read one raw value (known not to be blank): its canonical value, or None when it says
        "not recorded"; raise FormValueError saying what is wrong and what is allowed."""
        return (book or shipped_book()).read(self.name, self.kind, raw)

    def show(
        self,
        value: Any,
        vocabulary: Vocabulary | None = None,
        *,
        short: bool = False,
        language: Language = "en",
        against: Any = None,
    ) -> str:
        """Format a canonical value for a sentence: '35 %', '3.5×ULN', 'yes', 'PMBCL (…)'.

        A value worked out from what was written shows how ('68 µmol/L ÷ ULN 20.5 µmol/L = …').
        `against`: the threshold it is compared with, never shown the same as it when the value
        is on the other side ('39.99999999999 %', not '40 %' below 40 %).
        """
        limit = (
            float(against)
            if isinstance(against, int | float) and not isinstance(against, bool)
            else None
        )
        if isinstance(value, Measured):
            return (value.how if limit is None else value.how_against(limit))(language)
        if self.kind is Kind.DIAGNOSIS and vocabulary is not None:
            term = vocabulary.codes.get(value)
            if term is not None:
                return term.abbreviation if short else vocabulary.describe(value, language)
        if isinstance(value, bool):
            return (M.YES if value else M.NO)(language)
        if self.kind is Kind.CHOICE:
            shown = _choice_name(str(value))(language)
            return f"{shown} ({value.how(language)})" if isinstance(value, Shown) else shown
        text = f"{value:g}" if isinstance(value, float) else str(value)
        if isinstance(value, float) and limit is not None:
            text = apart(value, limit, text)
        return text + self.unit(language)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["title"] = self.label.en
        # What the field accepts is the value book's to say: render.form_schema_json adds it.
        json_schema["description"] = self.hint.en
        json_schema["x-group"] = self.group
        json_schema["x-title-zh"] = self.label.zh
        return json_schema


_NO_ENTRY = FieldValues()


def _choice_name(value: str) -> Said:
    return CHOICE_NAMES.get(value, Said.same(value))


_ULN_HINT = Said(
    "×ULN = the result divided by the lab's upper limit of normal (e.g. 2.0 is twice the ULN); "
    "or write the result with its unit and the ULN, e.g. 68 µmol/L (ULN 21), and it is divided.",
    "×ULN = 检验结果除以该实验室正常值上限（如 2.0 表示为正常值上限的 2 倍）；"
    "也可写带单位的检验结果及正常上限，如 68 µmol/L（正常上限 21），将自动换算。",
)

DiseaseStatus = Literal[
    "relapsed", "refractory", "relapsed_or_refractory", "remission", "untreated"
]
Infection = Literal["none", "controlled", "uncontrolled"]
NyhaClass = Literal["I", "II", "III", "IV"]
ChildPugh = Literal["A", "B", "C"]
CnsInvolvement = Literal["none", "history", "active"]
Serology = Literal["positive", "negative"]
SEROLOGY = ("positive", "negative")
COUNT_UNIT = Said(" ×10⁹/L", " ×10⁹/L")
_COUNT_HINT = Said(
    "In ×10⁹/L (= G/L = 10³/µL); a count per µL or mm³ is read with its unit "
    "(20,000/µL = 20 ×10⁹/L).",
    "单位 ×10⁹/L（= G/L = 10³/µL）；以 /µL 或 /mm³ 计的数值请带单位填写（20,000/µL = 20 ×10⁹/L）。",
)
ADVISORY_GROUP = "advisory"
"""The form's group of fields that only the advisory checks (from the pivotal trials) use."""


def _yes_no_advisory(label: Said, hint: Said) -> FieldSpec:
    return FieldSpec(Kind.YES_NO, label, ADVISORY_GROUP, hint)


def _serology(label: Said, hint: Said) -> FieldSpec:
    return FieldSpec(Kind.CHOICE, label, ADVISORY_GROUP, hint, choices=SEROLOGY)


def _count(label: Said) -> FieldSpec:
    return FieldSpec(Kind.NUMBER, label, ADVISORY_GROUP, _COUNT_HINT, unit=COUNT_UNIT)


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
            Said(
                "The course of the lymphoma at referral, before bridging: relapsed after a "
                "response, or refractory to the last line. PR, SD or persistent disease is a "
                "response, not a course: write relapsed or refractory.",
                "转诊时（桥接治疗前）淋巴瘤的病程：缓解后复发，或对最近一线治疗难治。部分缓解、"
                "疾病稳定或疾病持续属于疗效评价而非病程，请填写复发或难治。",
            ),
            choices=("relapsed", "refractory", "relapsed_or_refractory", "remission", "untreated"),
        ),
    ] = None
    prior_systemic_lines: Annotated[
        int | None,
        FieldSpec(
            Kind.INTEGER,
            Said("Prior systemic lines", "既往系统治疗线数"),
            "disease",
            Said(
                "Lines of systemic therapy started, counting one stopped early for progression. "
                "Salvage + autologous transplant = one line; maintenance, consolidation or a "
                "switch for toxicity stay in their line. Not lines: bridging after apheresis, "
                "radiotherapy alone, intrathecal therapy, a steroid pre-phase. tFL: count the lines "
                "before and after transformation.",
                "已开始的系统治疗线数，因进展而提前停止的也计入。挽救化疗加自体移植为一线；维持、"
                "巩固治疗或因毒性更换方案仍属同一线。不计为一线：采集后的桥接治疗、单纯放疗、"
                "鞘内注射、激素预治疗。tFL：转化前后的治疗线均计入。",
            ),
        ),
    ] = None
    active_infection: Annotated[
        Infection | None,
        FieldSpec(
            Kind.CHOICE,
            Said("Active infection", "活动性感染"),
            "infection",
            Said(
                "Uncontrolled (the site's reading) = needs IV antimicrobials and not improving, or "
                "untreated viraemia; improving on treatment = controlled.",
                "未控制（本中心的解读）= 需静脉抗感染治疗且未见好转，或病毒血症未经治疗；治疗后好转 = 已控制。",
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
                "Documented serious hypersensitivity or anaphylaxis to a component of the product "
                "(not nausea or flushing with a DMSO-frozen autograft).",
                "有记录的对本品成分的严重过敏反应或过敏性休克（回输二甲基亚砜冻存的自体干细胞时"
                "出现恶心或潮红不算）。",
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
        ),
    ] = None
    ast_x_uln: Annotated[
        float | None,
        FieldSpec(Kind.NUMBER, Said("AST", "AST"), "liver", _ULN_HINT, unit=X_ULN),
    ] = None
    alt_x_uln: Annotated[
        float | None,
        FieldSpec(Kind.NUMBER, Said("ALT", "ALT"), "liver", _ULN_HINT, unit=X_ULN),
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
                "Now, or planned around apheresis, lymphodepletion or after the infusion: systemic "
                "immunosuppressants, or corticosteroids above 10 mg/day prednisone-equivalent (a "
                "washout threshold; replacement doses do not count). Steroids or tocilizumab for "
                "CRS/ICANS after the infusion do not count.",
                "目前使用，或计划在采集、清淋前后或回输后使用：全身性免疫抑制剂，或泼尼松当量每日超过 "
                "10 mg 的糖皮质激素（洗脱阈值；替代剂量不计）。回输后因 CRS/ICANS 使用的激素或托珠单抗不计。",
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
                "A live vaccine in the 6 weeks before lymphodepletion, or one planned (the site's "
                "reading, from other CD19 CAR-T labels).",
                "清淋前 6 周内接种过活疫苗，或计划接种（本中心的解读，来自其他 CD19 CAR-T 说明书）。",
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
                "Other anticancer therapy ongoing or planned from lymphodepletion onwards. Bridging "
                "that ends before lymphodepletion, with its washout, is no.",
                "自清淋起正在进行或计划进行的其他抗肿瘤治疗。在清淋前结束（含洗脱期）的桥接治疗填“否”。",
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

    # ------------------------------------------------ advisory (not the label: the pivotal trials)
    ecog_ps: Annotated[
        int | None,
        FieldSpec(
            Kind.INTEGER,
            Said("ECOG performance status", "ECOG 体能状态评分"),
            ADVISORY_GROUP,
            Said(
                "0 fully active; 1 restricted in strenuous activity; 2 up and about > 50 % of "
                "waking hours, no work; 3 in bed or chair > 50 %; 4 completely disabled; 5 dead.",
                "0 活动完全正常；1 剧烈活动受限；2 生活自理、清醒时卧床 < 50%、不能工作；"
                "3 清醒时卧床或坐椅 > 50%；4 完全失能；5 死亡。",
            ),
        ),
    ] = None
    prior_cd19_therapy: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Prior CD19-directed therapy", "既往 CD19 靶向治疗"),
            Said(
                "A CD19 CAR-T, tafasitamab, loncastuximab tesirine or blinatumomab at any time.",
                "曾接受任何 CD19 CAR-T、他法西他单抗（tafasitamab）、loncastuximab tesirine 或"
                "贝林妥欧单抗（blinatumomab）。",
            ),
        ),
    ] = None
    cns_involvement: Annotated[
        CnsInvolvement | None,
        FieldSpec(
            Kind.CHOICE,
            Said("CNS involvement", "中枢神经系统受累"),
            ADVISORY_GROUP,
            Said(
                "Secondary CNS lymphoma: none; history (treated, no active disease now); or "
                "active now. Primary CNS lymphoma is a diagnosis (PCNSL), not this.",
                "继发性中枢神经系统淋巴瘤：无；既往（已治疗，目前无活动性病灶）；或目前活动性。"
                "原发性中枢神经系统淋巴瘤属诊断（PCNSL），不填此项。",
            ),
            choices=("none", "history", "active"),
        ),
    ] = None
    hbsag: Annotated[
        Serology | None,
        _serology(
            Said("HBsAg", "乙肝表面抗原（HBsAg）"),
            Said("Hepatitis B surface antigen.", "乙型肝炎表面抗原。"),
        ),
    ] = None
    anti_hbc: Annotated[
        Serology | None,
        _serology(
            Said("Anti-HBc", "乙肝核心抗体（抗-HBc）"),
            Said("Hepatitis B core antibody (total).", "乙型肝炎核心抗体（总抗体）。"),
        ),
    ] = None
    hbv_dna: Annotated[
        Serology | None,
        _serology(
            Said("HBV DNA", "HBV DNA"),
            Said(
                "Detectable (positive) or not detectable (negative); where tested.",
                "可检出（阳性）或未检出（阴性）；如已检测。",
            ),
        ),
    ] = None
    hcv_rna: Annotated[
        Serology | None,
        _serology(
            Said("HCV RNA", "HCV RNA"),
            Said("Hepatitis C virus RNA, detectable or not.", "丙型肝炎病毒 RNA，可否检出。"),
        ),
    ] = None
    hiv: Annotated[
        Serology | None,
        _serology(
            Said("HIV", "HIV"),
            Said("HIV antibody/antigen test.", "HIV 抗体/抗原检测。"),
        ),
    ] = None
    prior_allo_hsct: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Prior allogeneic HSCT", "既往异基因造血干细胞移植"),
            Said("An allogeneic stem-cell transplant at any time.", "曾接受异基因造血干细胞移植。"),
        ),
    ] = None
    allo_hsct_days: Annotated[
        int | None,
        FieldSpec(
            Kind.INTEGER,
            Said("Days since allogeneic HSCT", "距异基因移植天数"),
            ADVISORY_GROUP,
            Said(
                "Days from the transplant to the screening date (only after an allogeneic HSCT).",
                "自移植至筛查日期的天数（仅异基因移植后填写）。",
            ),
            unit=Said(" days", " 天"),
        ),
    ] = None
    active_gvhd: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Active GVHD", "活动性移植物抗宿主病（GVHD）"),
            Said(
                "Acute GVHD grade II–IV or extensive chronic GVHD now (only after an allogeneic HSCT).",
                "目前有 II–IV 级急性 GVHD 或广泛型慢性 GVHD（仅异基因移植后填写）。",
            ),
        ),
    ] = None
    gvhd_immunosuppression: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Systemic immunosuppression for GVHD", "因 GVHD 使用全身免疫抑制"),
            Said(
                "Systemic immunosuppression for GVHD now or stopped less than 4 weeks ago (only "
                "after an allogeneic HSCT).",
                "目前因 GVHD 使用全身免疫抑制剂，或停用不足 4 周（仅异基因移植后填写）。",
            ),
        ),
    ] = None
    anc_x10e9_l: Annotated[
        float | None, _count(Said("ANC (neutrophils)", "中性粒细胞绝对计数（ANC）"))
    ] = None
    alc_x10e9_l: Annotated[
        float | None, _count(Said("ALC (lymphocytes)", "淋巴细胞绝对计数（ALC）"))
    ] = None
    platelets_x10e9_l: Annotated[float | None, _count(Said("Platelets", "血小板"))] = None
    hemoglobin_g_l: Annotated[
        float | None,
        FieldSpec(
            Kind.NUMBER,
            Said("Haemoglobin", "血红蛋白"),
            ADVISORY_GROUP,
            Said(
                "In g/L; g/dL is read with its unit (9.5 g/dL = 95 g/L), or where the number "
                "alone can only be g/dL.",
                "单位 g/L；g/dL 请带单位填写（9.5 g/dL = 95 g/L），或数值只可能是 g/dL 时亦可读取。",
            ),
            unit=Said(" g/L", " g/L"),
        ),
    ] = None
    crcl_ml_min: Annotated[
        float | None,
        FieldSpec(
            Kind.NUMBER,
            Said("Creatinine clearance", "肌酐清除率"),
            ADVISORY_GROUP,
            Said(
                "Cockcroft-Gault creatinine clearance (or eGFR), mL/min.",
                "Cockcroft-Gault 公式计算的肌酐清除率（或 eGFR），mL/min。",
            ),
            unit=Said(" mL/min", " mL/min"),
        ),
    ] = None
    spo2_percent: Annotated[
        float | None,
        FieldSpec(
            Kind.NUMBER,
            Said("SpO₂ on room air", "未吸氧时 SpO₂"),
            ADVISORY_GROUP,
            Said("Oxygen saturation breathing room air.", "呼吸室内空气时的血氧饱和度。"),
            unit=PERCENT,
        ),
    ] = None
    prior_anti_cd20: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Prior anti-CD20 antibody", "既往抗 CD20 单抗"),
            Said(
                "Rituximab or another anti-CD20 antibody in a prior line.",
                "既往治疗线中用过利妥昔单抗或其他抗 CD20 单抗。",
            ),
        ),
    ] = None
    prior_anthracycline: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Prior anthracycline", "既往蒽环类药物"),
            Said(
                "An anthracycline (e.g. doxorubicin in R-CHOP) in a prior line.",
                "既往治疗线中用过蒽环类药物（如 R-CHOP 中的多柔比星）。",
            ),
        ),
    ] = None
    relapse_biopsy_confirmed: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Relapse confirmed by biopsy", "复发经活检证实"),
            Said(
                "The relapsed or refractory disease was confirmed histologically at the last relapse.",
                "复发或难治病灶在最近一次复发时经组织学证实。",
            ),
        ),
    ] = None
    measurable_disease: Annotated[
        bool | None,
        _yes_no_advisory(
            Said("Measurable (PET-positive) disease", "可测量（PET 阳性）病灶"),
            Said(
                "At least one measurable, PET-positive lesion (Lugano 2014) now.",
                "目前至少有一个可测量且 PET 阳性的病灶（Lugano 2014）。",
            ),
        ),
    ] = None

    @field_validator("*", mode="before")
    @classmethod
    def _read_raw(cls, raw: Any, info: ValidationInfo) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        spec = FIELDS[info.field_name or ""]
        book = (info.context or {}).get("book")
        try:
            return spec.parse(raw, book)
        except FormValueError as exc:
            raise PydanticCustomError("form_value", exc.said.en) from exc


def _collect_specs() -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for name, info in PatientForm.model_fields.items():
        (spec,) = (m for m in info.metadata if isinstance(m, FieldSpec))
        specs[name] = dataclasses.replace(spec, name=name)
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


def book_problems(book: ValueBook) -> list[tuple[tuple[str | int, ...], str]]:
    """What in a value book does not fit the form: unknown fields, and choice fields whose
    spellings do not name exactly the field's own values (other programs rely on those)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    written = book.data.fields
    for name, entry in written.items():
        spec = FIELDS.get(name)
        if spec is None:
            problems.append(
                (("fields", name), f"unknown field {name!r}; known: {', '.join(FIELDS)}")
            )
            continue
        if spec.kind is Kind.CHOICE:
            for value in entry.choices:
                if value not in spec.choices:
                    message = (
                        f"{value!r} is not a value of {name}; values: {', '.join(spec.choices)}"
                    )
                    problems.append((("fields", name, "choices", value), message))
        elif entry.choices or entry.scores:
            problems.append((("fields", name), f"{name} is {spec.kind.value}: it has no choices"))
        if entry.analyte is not None and spec.kind is not Kind.NUMBER:
            problems.append((("fields", name, "analyte"), f"{name} is not a lab value"))
    for name, spec in FIELDS.items():
        if spec.kind is not Kind.CHOICE:
            continue
        missing = [c for c in spec.choices if c not in written.get(name, _NO_ENTRY).choices]
        if missing:
            where: tuple[str | int, ...] = ("fields", name) if name in written else ("fields",)
            problems.append((where, f"{name}: no spellings for {', '.join(missing)}"))
    return problems
