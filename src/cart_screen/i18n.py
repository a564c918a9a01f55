"""Every program text a user sees, in English and Simplified Chinese: one typed catalogue.

Why a typed catalogue and not gettext/Babel: two languages and a few hundred strings, read by the
library, the terminal and the web page alike. A message is an attribute of `M`, so a misspelt name
is a mypy error, not an English fallback at run time; `tests/test_i18n.py` fails CI when a message
lacks a language or its placeholders differ between languages. No .po/.mo build step to forget.
Rule texts (titles, label citations, thresholds' bases) live in the rule files, side by side.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")


class Said(NamedTuple):
    """A text already said in both languages (a message with its values filled in)."""

    en: str
    zh: str

    def __call__(self, language: Language = "en") -> str:
        return self.zh if language == "zh" else self.en

    @staticmethod
    def join(separator: Said, parts: list[Said]) -> Said:
        return Said(separator.en.join(p.en for p in parts), separator.zh.join(p.zh for p in parts))

    @staticmethod
    def same(text: str) -> Said:
        """A text that reads the same in both languages (an id, a number, a code)."""
        return Said(text, text)


@dataclass(frozen=True)
class Msg:
    """One message in both languages, with `{named}` placeholders."""

    en: str
    zh: str

    def __call__(self, language: Language = "en", **values: Any) -> str:
        return (self.zh if language == "zh" else self.en).format(**values)

    def both(self, **values: Any) -> Said:
        """The message with its values, in both languages."""
        return Said(self.en.format(**values), self.zh.format(**values))

    def placeholders(self, language: Language) -> set[str]:
        text = self.zh if language == "zh" else self.en
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def language_from_environment() -> Language:
    """Chinese when the locale says so (LC_ALL, LC_MESSAGES or LANG starting with zh), else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class M:
    """The catalogue. Each attribute is one message; see the module docstring."""

    # -- the notice (SPEC §4; issue 5 gives the Chinese sense)
    NOTICE = Msg(
        "Pre-screening aid only — not an eligibility decision. "
        "The treating physician decides whether HICARA is appropriate for this patient.",
        "仅为预筛查辅助，并非用药资格判定。该患者是否适合使用 HICARA，由主治医师决定。",
    )

    # -- advisory checks (SPEC §11): never the label, never the outcome
    ADVISORY_HEADING = Msg(
        "Advisory checks — not part of the HICARA label — from the pivotal trials, for the physician",
        "参考检查项——不属于 HICARA 说明书——来自关键临床试验，供医师参考",
    )
    ADVISORY_EXPLAINED = Msg(
        "They do not change the outcome above, which the label alone decides.",
        "它们不改变上方的筛查结果，结果仅由说明书决定。",
    )
    ADVISORY_EXPLAINED_LIST = Msg(
        "They do not change any record's outcome above, which the label alone decides.",
        "它们不改变上方任何记录的筛查结果，结果仅由说明书决定。",
    )
    WEB_PER_ADVISORY_CHART = Msg(
        "Records flagged and needing information, per advisory check",
        "各参考检查项中有提示及待补充信息的记录数",
    )
    ADVISORY_CITATION = Msg("Source: {source}", "依据：{source}")
    ADVISORY_OFF = Msg(
        "Advisory checks from the pivotal trials: off at this site (site file: advisory: off).",
        "关键临床试验参考检查项：本机构已关闭（机构设置：advisory: off）。",
    )
    SEVERITY_ADVISORY = Msg("advisory", "参考")
    WEB_ADVISORY_CHECK = Msg("Check (pivotal trials)", "检查项（关键临床试验）")
    WEB_ADVISORY_SOURCE = Msg("Source (not the label)", "依据（非说明书）")
    CATEGORY_ADVISORY = Msg("advisory (pivotal trials)", "参考（关键临床试验）")
    SUMMARY_ADVISORY_RECORDS = Msg(
        "records with an advisory flag: {flagged} · with no advisory flag but needing advisory "
        "information: {needs} · neither: {clear}",
        "有参考提示的记录：{flagged} · 无参考提示但参考项待补充信息：{needs} · 两者皆无：{clear}",
    )

    # -- values
    YES = Msg("yes", "是")
    NO = Msg("no", "否")
    SENTENCE_END = Msg(".", "。")
    SEPARATOR = Msg("; ", "；")
    LIST_SEPARATOR = Msg(", ", "、")
    OR = Msg(" or ", " 或 ")

    # -- what a field accepts, and why a value was refused
    EXPECTED = Msg("expected {allowed}", "应为：{allowed}")
    REFUSED_BECAUSE = Msg("{why} — expected {allowed}", "{why}；应为：{allowed}")
    ALLOWED_TEXT = Msg("non-empty text", "非空文本")
    ALLOWED_DATE = Msg(
        "a calendar date, year first: YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, 1965年3月14日)",
        "日期，年份在前：YYYY-MM-DD（也可写 YYYY/MM/DD、YYYY.MM.DD、YYYYMMDD、1965年3月14日）",
    )
    ALLOWED_YES_NO = Msg("yes or no (also {pairs})", "是或否（也可写 {pairs}）")
    ALLOWED_LAB = Msg(
        "{multiple} (a multiple of the upper limit of normal: 3.2, 3.2×ULN, 3.2倍正常上限), "
        "or a value with its unit ({units}) and the lab's ULN, e.g. {example}",
        "{multiple}（正常上限的倍数：3.2、3.2×ULN、3.2倍正常上限），"
        "或带单位（{units}）的检验值及该实验室的正常上限，如 {example}",
    )
    ALLOWED_CHOICE = Msg("one of {choices}", "以下之一：{choices}")
    ALLOWED_CHOICE_ALSO = Msg(
        "one of {choices} (also {also})", "以下之一：{choices}（也可写 {also}）"
    )
    ALLOWED_DIAGNOSIS = Msg(
        "a lymphoma subtype code or name from the vocabulary (see `cart-screen rules show`)",
        "词表中的淋巴瘤亚型代码或名称（见 `cart-screen rules show`）",
    )
    ALLOWED_WHOLE = Msg("a whole number", "整数")
    ALLOWED_NUMBER = Msg("a number", "数值")
    RANGE_BETWEEN = Msg("{noun} from {low} to {high}", "{low} 至 {high} 之间的{noun}")
    RANGE_AT_LEAST = Msg("{noun} of {low} or more", "不小于 {low} 的{noun}")
    RANGE_AT_MOST = Msg("{noun} of {high} or less", "不大于 {high} 的{noun}")
    OUT_OF_RANGE = Msg("out of range", "超出范围")
    NOT_A_NUMBER = Msg("not a number", "不是数值")
    NOT_WHOLE = Msg("not a whole number", "不是整数")
    NOT_FINITE = Msg("not a finite number", "不是有限数值")
    DATE_AND_TIME = Msg("a date and time", "含有时间")
    NOT_A_DATE = Msg("not a real calendar date", "不是有效的日历日期")
    DAY_MONTH_ORDER = Msg(
        "day and month could be either way round (03/04/1965 is 3 April or 4 March)",
        "日与月的先后无法确定（03/04/1965 可能是 4 月 3 日，也可能是 3 月 4 日）",
    )
    NOT_YEAR_FIRST = Msg(
        "day first or month first: write the date year first",
        "日或月在前：请按年份在前的格式书写日期",
    )
    IN_DOUBT = Msg(
        "a question mark: record the value once it is confirmed, or leave it blank",
        "含有问号：请在确认后记录该值，或留空",
    )
    CONTROL_CHARACTER = Msg(
        "holds the control character {shown}, which is no part of a value: write the value without it",
        "含有控制字符 {shown}，它不是数值的一部分：请去掉后重新填写",
    )
    INVISIBLE_CHARACTER = Msg(
        "holds an invisible character ({shown}) inside it, so it looks like another id: "
        "type the id again",
        "中间含有不可见字符（{shown}），看起来会与另一个编号相同：请重新输入编号",
    )
    CONTROL_KEY = Msg(
        "holds {shown}, which the {key} key types in a terminal without line editing: "
        "write the value without it",
        "含有 {shown}，这是终端不支持行编辑时 {key} 键输入的内容：请去掉后重新填写",
    )
    DATE_IMPLAUSIBLE = Msg("not a plausible date", "不是合理的日期")
    IMPLAUSIBLE = Msg("{value} is outside the plausible range", "{value} 超出合理范围")
    A_LIST = Msg(
        "a list, not a count: count the lines and record the number",
        "这是方案列表而非线数：请数出治疗线数并填写数字",
    )
    A_BOUND = Msg(
        "a bound, not a measured value: record the value itself",
        "这是上下限而非测得值：请记录具体数值",
    )
    TOO_MANY_DIGITS = Msg(
        "more digits than can be compared: record it as the report gives it",
        "位数多于可比较的精度：请按报告原样记录",
    )
    STRAY_MARK = Msg(
        "holds '{mark}', which is no part of a value: record the value without it",
        "含有符号“{mark}”，不属于任何取值：请去掉该符号后记录",
    )
    A_RANGE = Msg(
        "a range, not one value: record one value", "这是范围而非单个数值：请只记录一个数值"
    )
    DECIMAL_COMMA = Msg(
        "a comma could be a decimal point or a thousands separator: write the decimal point as '.'",
        "逗号可能是小数点，也可能是千位分隔符：小数点请写作“.”",
    )
    TWO_VALUES = Msg(
        "names more than one value ({values}): record one", "包含多个值（{values}）：请只记录一个"
    )
    DID_YOU_MEAN = Msg(
        "not a known spelling — did you mean {close}?", "不是已知的写法；是否指 {close}？"
    )
    SCORE_READ = Msg(
        "Child-Pugh score {score} = class {value}", "Child-Pugh 评分 {score} 分 = {value} 级"
    )
    SCORE_OUT = Msg(
        "a Child-Pugh score of {score} does not exist — scores are {scores}",
        "不存在 {score} 分的 Child-Pugh 评分；评分范围为 {scores}",
    )
    UNKNOWN_DIAGNOSIS_CLOSE = Msg(
        "not a known lymphoma subtype — did you mean {close}? Record a WHO/ICC subtype name or "
        "code (all of them: the Rules page, or `cart-screen rules show`)",
        "不是已知的淋巴瘤亚型；是否指 {close}？请记录 WHO/ICC 亚型名称或代码（完整列表见“规则”页面或 "
        "`cart-screen rules show`）",
    )
    LAB_QUANTITY = Msg(
        "expected a value with its unit ({units}), e.g. {example}",
        "应为带单位（{units}）的数值，如 {example}",
    )
    LAB_UNREADABLE = Msg(
        "not a multiple of ULN nor a value with its unit ({units}) and ULN",
        "既不是正常上限的倍数，也不是带单位（{units}）和正常上限的检验值",
    )
    LAB_UNKNOWN_UNIT = Msg(
        "not a unit of this test — units: {units}", "不是该检验项目的单位；可用单位：{units}"
    )
    LAB_NO_ULN = Msg(
        "no upper limit of normal to divide by — write the lab's ULN in the cell, e.g. {example}, "
        "or set lab_uln in the site file (--site)",
        "没有可用的正常上限 — 请在单元格中写明该实验室的正常上限，如 {example}，"
        "或在机构设置文件（--site）的 lab_uln 中设置",
    )
    LAB_ULN = Msg(
        "{value} ÷ ULN {uln} = {multiple}×ULN", "{value} ÷ 正常上限 {uln} = {multiple}×ULN"
    )
    LAB_SITE_ULN = Msg(
        "{value} ÷ ULN {uln} (site file) = {multiple}×ULN",
        "{value} ÷ 正常上限 {uln}（机构设置）= {multiple}×ULN",
    )
    LAB_VALUE_UNIT = Msg(
        "a value beside a ULN needs its unit, to tell it from a multiple — e.g. {example}",
        "与正常上限并列的检验值须写明单位，以免与倍数混淆，如 {example}",
    )
    LAB_TWO_ULNS = Msg(
        "two upper limits of normal — write the one this lab uses",
        "写了两个正常上限 — 请只写该实验室使用的一个",
    )
    LAB_BARE_LARGE = Msg(
        "{value} without a unit: a multiple of ULN or a lab value? write {value}×ULN, or the value with its unit",
        "{value} 未写单位：是正常上限的倍数还是检验值？请写 {value}×ULN，或写明单位的检验值",
    )
    MEASURE_UNREADABLE = Msg("not a number with its unit ({units})", "不是带单位（{units}）的数值")
    MEASURE_CONVERTED = Msg("{value} {unit} = {base}", "{value} {unit} = {base}")
    MEASURE_BARE_READ = Msg(
        "{value} without a unit, read as {unit} (no other unit is plausible) = {base}",
        "{value} 未写单位，按 {unit} 读取（其他单位均不合理）= {base}",
    )
    MEASURE_BARE_NONE = Msg(
        "{value} without a unit is not plausible in any unit — write the value with its unit, e.g. {example}",
        "{value} 未写单位，按任何单位都不合理 — 请写明单位，如 {example}",
    )
    MEASURE_BARE_TWO = Msg(
        "{value} without a unit could be {readings} — write its unit, e.g. {example}",
        "{value} 未写单位，可能是 {readings} — 请写明单位，如 {example}",
    )
    ALLOWED_MEASURE = Msg(
        "{number}, in {base} or with its unit ({units})",
        "{number}，单位 {base}，或写明单位（{units}）",
    )
    LAB_ULN_NOT_POSITIVE = Msg("the upper limit of normal must be above 0", "正常上限必须大于 0")
    LAB_ULN_IMPLAUSIBLE = Msg(
        "an upper limit of normal of {uln} is outside the plausible {low}–{high} {base}: check it",
        "正常上限 {uln} 超出合理范围 {low}–{high} {base}：请核对",
    )
    UNKNOWN_DIAGNOSIS = Msg(
        "not a known lymphoma subtype — record a WHO/ICC subtype name or code, e.g. DLBCL-NOS, tFL, "
        "HGBL with MYC and BCL2 rearrangements, HGBL-NOS, PMBCL (all of them: the Rules page, or "
        "`cart-screen rules show`)",
        "不是已知的淋巴瘤亚型；请记录 WHO/ICC 亚型名称或代码，如 DLBCL-NOS、tFL、伴MYC和BCL2重排的HGBL、"
        "HGBL-NOS、PMBCL（完整列表见“规则”页面或 `cart-screen rules show`）",
    )
    UNKNOWN_FIELD = Msg(
        "unknown field — see `cart-screen schema`", "未知字段；见 `cart-screen schema`"
    )
    BIRTH_AFTER_SCREENING = Msg(
        "after the screening date {day} — expected a date of birth on or before it",
        "晚于筛查日期 {day}；出生日期应不晚于筛查日期",
    )
    AGE_FROM_BIRTH_IMPLAUSIBLE = Msg(
        "gives an age of {age} years at the screening date {day}, outside the plausible "
        "{low}–{high} years — expected a date of birth giving an age from {low} to {high}",
        "至筛查日期 {day} 年龄为 {age} 岁，超出合理范围 {low}–{high} 岁；"
        "出生日期应使年龄在 {low} 至 {high} 岁之间",
    )
    AGE_CONFLICT = Msg(
        "conflicts with date_of_birth (age {age} at the screening date) — correct one of them",
        "与出生日期不符（按出生日期，筛查日年龄为 {age} 岁）；请更正其中之一",
    )
    GIVEN_TWICE = Msg("given twice — keep one value", "重复填写 — 请只保留一个值")
    MISSING_ID = Msg(
        "missing — every record needs the referral's id", "缺失；每条记录都需要转诊编号"
    )

    # -- reasons (the values used, or the data that would resolve an item)
    PHRASE_LT_TRUE = Msg("{label} {value} is below {limit}", "{label} {value}，低于 {limit}")
    PHRASE_LT_FALSE = Msg("{label} {value} is not below {limit}", "{label} {value}，不低于 {limit}")
    PHRASE_LE_TRUE = Msg(
        "{label} {value} is at or below {limit}", "{label} {value}，不高于 {limit}"
    )
    PHRASE_LE_FALSE = Msg("{label} {value} is above {limit}", "{label} {value}，高于 {limit}")
    PHRASE_GT_TRUE = Msg("{label} {value} is above {limit}", "{label} {value}，高于 {limit}")
    PHRASE_GT_FALSE = Msg("{label} {value} is not above {limit}", "{label} {value}，不高于 {limit}")
    PHRASE_GE_TRUE = Msg(
        "{label} {value} is at or above {limit}", "{label} {value}，不低于 {limit}"
    )
    PHRASE_GE_FALSE = Msg("{label} {value} is below {limit}", "{label} {value}，低于 {limit}")
    PHRASE_IS = Msg("{label}: {value}", "{label}：{value}")
    PHRASE_IS_NOT = Msg("{label}: {value}, not {limit}", "{label}：{value}，不是{limit}")
    PHRASE_IN = Msg("{label}: {value} is one of {limit}", "{label}：{value}，属于{limit}")
    PHRASE_NOT_IN = Msg("{label}: {value} is not one of {limit}", "{label}：{value}，不属于{limit}")
    PHRASE_BASIS = Msg(" ({basis})", "（{basis}）")
    SITE_DEFAULT = Msg(" (site default)", "（本机构默认值）")
    OPTIONAL_MISSING = Msg(
        "{label} not recorded (used only where recorded)", "{label}未记录（仅在有记录时使用）"
    )
    NEEDS = Msg("Needs data: {parts}.", "需要数据：{parts}。")
    NEEDS_MISSING = Msg("{label} not recorded ({fields})", "{label}未记录（{fields}）")
    NEEDS_UNREADABLE = Msg(
        "{label} ({field}) could not be read: {value}", "{label}（{field}）无法读取：{value}"
    )

    # -- the checklist
    CHECKLIST_TITLE = Msg(
        "HICARA pre-screening checklist — patient {patient}", "HICARA 预筛查清单 — 患者 {patient}"
    )
    NO_ID = Msg("(no id)", "（无编号）")
    CHECKLIST_META = Msg(
        "Screening date {day} · ruleset {ruleset} (label {revision}) · sha256 {sha}…",
        "筛查日期 {day} · 规则集 {ruleset}（说明书 {revision}）· sha256 {sha}…",
    )
    SUMMARY_RULESET = Msg("Ruleset {id} · sha256 {sha}…", "规则集 {id} · sha256 {sha}…")
    CHECKLIST_SITE = Msg("Site settings: {source}{sha}", "机构设置：{source}{sha}")
    SITE_OPTIONS = Msg("from the command line", "来自命令行选项")
    OUTCOME = Msg("Outcome: {words}", "结果：{words}")
    OUTCOME_COUNTS = Msg(
        " ({flagged} flagged, {needs} needs info, {clear} clear)",
        "（{flagged} 项提示，{needs} 项待补充，{clear} 项无异常）",
    )
    OUTCOME_FLAGGED = Msg(
        "FLAGGED — the physician must review the flagged items", "有提示 — 请医师审阅提示项"
    )
    OUTCOME_NEEDS_INFO = Msg(
        "NEEDS INFO — some items cannot be decided from the data given",
        "待补充 — 部分项目无法根据现有数据判断",
    )
    OUTCOME_NO_FLAGS = Msg(
        "NO FLAGS — no label criterion raises a flag", "无提示 — 现有数据未触发说明书中的任何提示"
    )
    OUTCOME_ERROR = Msg("ERROR — this record could not be screened", "错误 — 此记录无法筛查")
    STATUS_FLAGGED = Msg("FLAGGED", "提示")
    STATUS_NEEDS_INFO = Msg("NEEDS INFO", "待补充")
    STATUS_CLEAR = Msg("CLEAR", "无异常")
    CATEGORY_INDICATION = Msg("indication", "适应症")
    CATEGORY_CONTRAINDICATION = Msg("contraindication", "禁忌")
    CATEGORY_PRECAUTION = Msg("precaution", "注意事项")
    CATEGORY_INTERACTION = Msg("interaction", "药物相互作用")
    SEVERITY_EXCLUSION = Msg("exclusion", "排除")
    SEVERITY_CAUTION = Msg("caution", "注意")
    LABEL_CITATION = Msg("Label: {source}", "说明书：{source}")
    UNREADABLE_HEADING = Msg(
        "VALUES THAT COULD NOT BE READ (counted as missing)", "无法读取的数值（按缺失处理）"
    )

    # -- the ruleset as a checklist
    RULESET_TITLE = Msg(
        "Ruleset {id} — {product}, label revision {revision}",
        "规则集 {id} — {product}，说明书修订 {revision}",
    )
    SOURCE = Msg("Source: {source}", "来源：{source}")
    FILES = Msg("Files: {files}", "文件：{files}")
    COMPONENTS = Msg(
        "Components asked about for hypersensitivity: {components}",
        "过敏询问涉及的成分：{components}",
    )
    READING_OF_SEVERE = Msg('Reading of "severe": {text}', "对“严重”的解读：{text}")
    FLAGGED_WHEN = Msg("Flagged when: {condition}", "提示条件：{condition}")
    RULE_NEEDS = Msg("Needs: {fields}", "所需数据：{fields}")
    RULE_OPTIONAL = Msg("; used where recorded: {fields}", "；有记录时使用：{fields}")
    FROM_FIELDS = Msg("{name} (from {fields})", "{name}（来自 {fields}）")
    NOTE = Msg("Note: {note}", "备注：{note}")
    VOCABULARY = Msg("Diagnosis vocabulary", "诊断词表")
    VALUES_READ = Msg(
        "How values are read (values.yaml; matching ignores case, width, spaces and punctuation)",
        "数值的读取方式（values.yaml；匹配时不区分大小写、全半角、空格和标点）",
    )
    NOT_RECORDED_WORDS = Msg(
        "In any field, these mean not recorded: {words}",
        "以下写法在任何字段中均表示未记录：{words}",
    )
    COMPOUND_WORDS = Msg(
        "{code}: any of {bases} with a qualifier: {qualifiers}",
        "{code}：{bases} 之一加限定语：{qualifiers}",
    )
    AMBIGUOUS_WORDS = Msg("Refused as ambiguous: {terms}", "因含义不明而不予接受：{terms}")
    CONDITION_NOT = Msg("not {condition}", "非 {condition}")
    CONDITION_IN = Msg("in", "属于")
    CONDITION_NOT_IN = Msg("not in", "不属于")

    # -- batch
    SUMMARY_OUTCOME = Msg("outcome", "结果")
    SUMMARY_RECORDS = Msg("records", "记录数")
    SUMMARY_SHARE = Msg("share", "占比")
    SUMMARY_ALL = Msg("all records", "全部记录")
    SUMMARY_RULE = Msg("rule", "规则")
    SUMMARY_DUPLICATES = Msg(
        "Duplicate patient ids (each screened): {ids}", "重复的患者编号（均已筛查）：{ids}"
    )
    SUMMARY_DUPLICATE_COUNT = Msg(
        "{ids} patient ids occur more than once ({records} records, each screened); "
        "--show-duplicates lists them",
        "{ids} 个患者编号重复出现（共 {records} 条记录，均已筛查）；加 --show-duplicates 可列出",
    )
    SUMMARY_MORE = Msg(" and {count} more", " 等，另有 {count} 个")
    SUMMARY_IGNORED = Msg("Ignored columns: {columns}", "已忽略的列：{columns}")
    SUMMARY_UNMATCHED = Msg(
        "Column map entries that match no column of the list (unused): {columns}",
        "列映射中与名单任何一列都不匹配的条目（未使用）：{columns}",
    )
    SUMMARY_NO_RECORDS = Msg(
        "The list has a header row but no records: nothing was screened.",
        "名单只有表头行，没有记录：未进行筛查。",
    )
    SUMMARY_UNREAD = Msg(
        "{count} no_flags records hold a value that could not be read (their errors cell says "
        "which and what to write): check them before relying on the outcome",
        "{count} 条 no_flags 记录含有无法读取的值（其 errors 单元格说明是哪个值、应如何填写）："
        "依赖该结果前请先核对",
    )
    SUMMARY_ENCODING_DETECTED = Msg(
        "encoding: {encoding} (detected)", "编码：{encoding}（自动识别）"
    )
    SUMMARY_ENCODING_GIVEN = Msg("encoding: {encoding} (as asked)", "编码：{encoding}（按指定）")
    PROGRESS = Msg("Screening", "筛查中")
    CELLS_COUNT = Msg(
        "has {cells} cells, the header has {width}", "有 {cells} 个单元格；表头有 {width} 个"
    )
    BAD_BYTES = Msg("holds bytes that are not valid {encoding}", "含有不符合 {encoding} 编码的字节")
    BAD_CSV = Msg("not valid CSV ({detail})", "不是有效的 CSV（{detail}）")
    RECORD_TOO_LONG = Msg(
        "longer than {limit:,} characters, the most a record may hold (most likely a quote "
        "that is never closed)",
        "超过 {limit:,} 个字符，即一条记录的上限（多半是引号未闭合）",
    )
    NOT_SCREENED = Msg(
        "could not be screened (internal error {kind})", "无法筛查（内部错误 {kind}）"
    )
    MAP_INVALID = Msg("{path}: not a valid YAML column map", "{path}：不是有效的 YAML 列映射")
    MAP_ANCHORS = Msg(
        "{where}: anchors and aliases (&, *) are not allowed in column maps",
        "{where}：列映射文件中不允许使用锚点与别名（&、*）",
    )
    FILE_TOO_LARGE = Msg(
        "{path}: larger than {limit} MB; a form or column map is a few lines",
        "{path}：超过 {limit} MB；表单或列映射文件只需几行",
    )
    MAP_NOT_PAIRS = Msg(
        "{path}: expected `their header: form field` pairs",
        "{path}：应为“原表头: 表单字段”的键值对",
    )
    MAP_BAD_FIELD = Msg(
        "{path}: {header!r} maps to {target!r}, which is not a form field; fields: {fields}",
        "{path}：{header!r} 映射到 {target!r}，但它不是表单字段；可用字段：{fields}",
    )
    COLUMNS_CLASH = Msg(
        "columns {first} and {second} both give {field}; keep one",
        "第 {first} 列与第 {second} 列都对应 {field}；请只保留一列",
    )
    NO_ID_COLUMN = Msg(
        "no patient_id column; the header must name one (or map one with --columns)",
        "没有 patient_id 列；表头须包含该列（或用 --columns 映射）",
    )
    NO_ID_FIRST_COLUMNS = Msg("the first line's columns: {columns}", "第一行的列：{columns}")
    NO_ID_SEPARATED = Msg(
        'the list looks {separated}, not comma-separated: save it again as "CSV UTF-8 (Comma '
        'delimited)" (Excel or WPS: File → Save As), or with commas between the cells',
        "该名单看起来是{separated}，而不是逗号分隔：请重新另存为“CSV UTF-8（逗号分隔）”"
        "（Excel 或 WPS：文件 → 另存为），或在单元格之间使用逗号",
    )
    NO_ID_SEMICOLONS = Msg("semicolon-separated", "分号分隔")
    NO_ID_TABS = Msg("tab-separated", "制表符分隔")
    NO_ID_SEP_LINE = Msg(
        'the first line is Excel\'s "sep=" hint, not the header: delete that line',
        "第一行是 Excel 的“sep=”提示，而不是表头：请删除该行",
    )
    NO_ID_TITLE = Msg(
        "a CSV list's first line must be its header: delete the title lines above it",
        "CSV 名单的第一行必须是表头：请删除表头上方的标题行",
    )
    NO_ID_NEAR = Msg(
        "the column {name} is not written patient_id: rename it patient_id",
        "列 {name} 的写法不是 patient_id：请将其改名为 patient_id",
    )
    NOT_IN_ENCODING = Msg(
        "the list cannot be read as {encoding}: leave the encoding to be detected, or name the "
        "one it was saved in",
        "无法按 {encoding} 读取该名单：请让程序自动识别编码，或指定其保存时使用的编码",
    )
    SITE_REFUSED = Msg(
        "the site file was refused:\n{problems}", "机构设置文件未通过校验：\n{problems}"
    )
    UNKNOWN_ENCODING = Msg("unknown encoding {encoding!r}", "未知编码 {encoding!r}")
    NOT_TEXT_ENCODING = Msg(
        "{encoding!r} is not a text encoding; name the one the list is saved in "
        "(utf-8, gb18030, big5, …) or leave it to be detected",
        "{encoding!r} 不是文本编码；请指定名单实际使用的编码（utf-8、gb18030、big5 等），或改为自动识别",
    )
    EMPTY_LIST = Msg("the file is empty; expected a header row", "文件为空；应有表头行")
    BAD_HEADER_CSV = Msg(
        "the header row is not valid CSV ({detail})", "表头行不是有效的 CSV（{detail}）"
    )
    HEADER_TOO_LONG = Msg(
        "the header row is longer than {limit:,} characters (most likely a quote that is never "
        "closed)",
        "表头行超过 {limit:,} 个字符（多半是引号未闭合）",
    )
    BAD_HEADER_BYTES = Msg(
        "the header row holds bytes that are not valid {encoding}, the encoding detected for "
        "the list; correct the header or save the list again as CSV UTF-8",
        "表头行含有不符合 {encoding} 编码的字节（名单经自动识别为 {encoding} 编码）；"
        "请更正表头，或将名单重新另存为 CSV UTF-8",
    )
    BAD_HEADER_BYTES_GIVEN = Msg(
        "the header row is not valid {encoding}, the encoding asked for; leave the encoding "
        "to be detected, or ask for the one the list is in",
        "表头行不符合所指定的 {encoding} 编码；请改为自动识别编码，或指定名单实际使用的编码",
    )
    LIST_ENCODING_UNKNOWN = Msg(
        "not UTF-8, UTF-16 with a byte-order mark, or GB18030 (some bytes fit none of them); "
        "save the list as CSV UTF-8",
        "不是 UTF-8、带字节顺序标记（BOM）的 UTF-16 或 GB18030 编码（部分字节不符合其中任何一种）；"
        "请将名单另存为 CSV UTF-8",
    )
    LIST_NOT_TEXT = Msg(
        "not a text file: it holds NUL bytes (UTF-16 is read only with a byte-order mark); "
        "save the list as CSV UTF-8",
        "不是文本文件：含有 NUL 字节（UTF-16 仅在带字节顺序标记（BOM）时可读）；"
        "请将名单另存为 CSV UTF-8",
    )
    LIST_IS_WORKBOOK = Msg(
        "this is a spreadsheet workbook (.xlsx/.ods), not a CSV; save it as CSV (UTF-8)",
        "这是电子表格工作簿（.xlsx/.ods），不是 CSV；请另存为 CSV（UTF-8）",
    )
    LIST_IS_OLD_WORKBOOK = Msg(
        "this is an Excel 97–2003 workbook (.xls) or another old Office file, not a CSV; "
        "save it as CSV (UTF-8)",
        "这是 Excel 97–2003 工作簿（.xls）或其他旧版 Office 文件，不是 CSV；请另存为 CSV（UTF-8）",
    )
    LIST_IS_PDF = Msg(
        "this is a PDF document, not a CSV; export the list as CSV (UTF-8) from where it is kept",
        "这是 PDF 文档，不是 CSV；请从名单所在的系统或表格导出为 CSV（UTF-8）",
    )
    LIST_IS_IMAGE = Msg(
        "this is an image ({kind}), not a CSV; a referral list must be a CSV (UTF-8) file",
        "这是图片（{kind}），不是 CSV；转诊名单须为 CSV（UTF-8）文件",
    )
    # -- workbooks as referral lists (SPEC §8)
    WORKBOOK_NOT_A_WORKBOOK = Msg(
        "not a workbook: a ZIP archive with no spreadsheet in it; save the list as .xlsx or CSV",
        "不是工作簿：这是不含电子表格的 ZIP 压缩包；请将名单另存为 .xlsx 或 CSV",
    )
    WORKBOOK_NOT_OLD_WORKBOOK = Msg(
        "not a workbook: an old Office file (OLE2) with no Excel workbook in it (a .doc?); "
        "save the list as .xlsx or CSV",
        "不是工作簿：这是不含 Excel 工作簿的旧版 Office 文件（OLE2，可能是 .doc）；"
        "请将名单另存为 .xlsx 或 CSV",
    )
    WORKBOOK_ENCRYPTED = Msg(
        "the workbook is protected with a password; save a copy without the password "
        "(File → Info → Protect Workbook) and screen that",
        "工作簿设有打开密码；请另存一份不带密码的副本（文件 → 信息 → 保护工作簿）再筛查",
    )
    WORKBOOK_TOO_UNPACKED = Msg(
        "the workbook is not read: a part of it unpacks from {packed} to {unpacked} (packed "
        "{ratio}:1, where a referral list's sheet is ~10:1), far more than a referral list "
        "holds; check that this is the list meant, or save it again as .xlsx or CSV",
        "未读取该工作簿：其中一个部分由 {packed} 解压为 {unpacked}（压缩比 {ratio}:1，转诊名单工作表"
        "约为 10:1），远超转诊名单可能的大小；请确认这是要筛查的名单，或重新另存为 .xlsx 或 CSV",
    )
    WORKBOOK_DAMAGED = Msg(
        "the workbook cannot be read ({detail}); it may be damaged: open it in Excel or WPS "
        "and save it again",
        "无法读取工作簿（{detail}），文件可能已损坏；请在 Excel 或 WPS 中打开后重新保存",
    )
    WORKBOOK_WHY_NOT_WHOLE_ZIP = Msg("not a whole ZIP archive", "不是完整的 ZIP 压缩包")
    WORKBOOK_WHY_NOT_WHOLE_OLE2 = Msg("not a whole OLE2 container", "不是完整的 OLE2 容器文件")
    WORKBOOK_WHY_ZIP_PART = Msg(
        "a part of its ZIP archive is damaged or cut short", "其 ZIP 压缩包的某一部分已损坏或不完整"
    )
    WORKBOOK_WHY_XML = Msg("a sheet's XML is malformed", "某个工作表的 XML 格式有误")
    WORKBOOK_WHY_ENTITY = Msg(
        "a sheet's XML declares or uses an entity, a DOCTYPE, which no workbook does",
        "某个工作表的 XML 声明或使用了实体 DOCTYPE，正常工作簿不会如此",
    )
    WORKBOOK_WHY_NUMBER = Msg(
        "a number cell holds something that is not a number",
        "某个数字单元格中的内容不是数字",
    )
    WORKBOOK_WHY_SHARED_STRING = Msg(
        "a cell points to a text missing from the workbook's shared strings",
        "某个单元格引用的文本不在工作簿的共享字符串表中",
    )
    WORKBOOK_WHY_ROW_ORDER = Msg(
        "the sheet's cells are not stored in row order",
        "工作表的单元格未按行的顺序存储",
    )
    WORKBOOK_WHY_MERGES = Msg(
        "more merged ranges than any list has", "合并单元格区域多于任何名单可能有的数量"
    )
    WORKBOOK_WHY_OTHER = Msg(
        "its contents are not as a workbook's must be", "其内容不符合工作簿应有的格式"
    )
    WORKBOOK_NO_SHEETS = Msg("the workbook has no sheets", "工作簿中没有工作表")
    WORKBOOK_NO_SUCH_SHEET = Msg(
        "there is no sheet named {sheet}; the workbook's sheets are: {sheets}",
        "没有名为 {sheet} 的工作表；该工作簿的工作表为：{sheets}",
    )
    WORKBOOK_EMPTY_SHEET = Msg(
        "sheet {sheet} is empty; expected a header row naming patient_id",
        "工作表 {sheet} 为空；应有包含 patient_id 的表头行",
    )
    WORKBOOK_NO_HEADER = Msg(
        "no header row naming patient_id in the first {rows} rows of sheet {sheet}; "
        "the header must name one (or map one with --columns){others}",
        "工作表 {sheet} 的前 {rows} 行中没有包含 patient_id 的表头行；"
        "表头须包含该列（或用 --columns 映射）{others}",
    )
    WORKBOOK_OTHER_SHEETS = Msg(
        "; the workbook's other sheets: {sheets} (choose one with --sheet)",
        "；工作簿中的其他工作表：{sheets}（用 --sheet 选择）",
    )
    WORKBOOK_FIRST_SHEET_HIDDEN = Msg(
        "the workbook's first sheet, {sheet}, is hidden: it is not the sheet Excel shows; "
        "name the sheet to screen with --sheet NAME (the visible sheets: {sheets})",
        "工作簿的第一个工作表 {sheet} 是隐藏的，并非 Excel 中显示的工作表；"
        "请用 --sheet 工作表名 指明要筛查的工作表（可见的工作表：{sheets}）",
    )
    WEB_SHEET_FOR_CSV = Msg(
        "a sheet was named, but this file holds text (CSV), which has no sheets: leave the "
        "sheet empty",
        "填写了工作表名称，但该文件是文本（CSV），没有工作表：请将工作表一栏留空",
    )
    WEB_SHEET = Msg(
        "Sheet (workbooks only; empty: the first)", "工作表（仅限工作簿；留空：第一个）"
    )
    SHEET_FOR_CSV = Msg(
        "--sheet is for workbooks; this list holds text and is read as CSV",
        "--sheet 仅用于工作簿；该名单为文本，按 CSV 读取",
    )
    ENCODING_FOR_WORKBOOK = Msg(
        "--encoding is for CSV lists; a workbook ({kind}) says its own",
        "--encoding 仅用于 CSV 名单；工作簿（{kind}）自带编码",
    )
    CELL_ERROR = Msg(
        "the cell holds the error {error}; correct it in the workbook",
        "单元格为错误值 {error}；请在工作簿中更正",
    )
    LIST_CHANGED = Msg(
        "the list changed while it was being read (another program wrote to it or replaced "
        "it); nothing written: screen it again once it is complete",
        "名单在读取过程中被更改（其他程序写入或替换了它）；未写入任何结果：请在名单完整后重新筛查",
    )
    WORKBOOK_HEADER_MERGED = Msg(
        "the header (row {row} of sheet {sheet}) has the merged cells {cells}: a column under "
        "them has no name of its own, and its values would be left out; unmerge the header so "
        "that each column has its own name",
        "表头（工作表 {sheet} 第 {row} 行）含合并单元格 {cells}：其下的列没有自己的列名，"
        "其中的数据将被遗漏；请取消表头的合并，使每一列都有自己的列名",
    )
    CELL_NOT_RECALCULATED = Msg(
        "a formula ({formula}) in a workbook that asks to be recalculated when it is opened "
        "(written by a program, not saved since by Excel or WPS): the value saved with it may "
        "be out of date; open the workbook in Excel or WPS, let it calculate and save it, or "
        "type the value itself",
        "公式（{formula}）所在的工作簿要求打开时重新计算（由程序生成，之后未经 Excel 或 WPS "
        "保存）：与公式一同保存的结果可能已过期；请在 Excel 或 WPS 中打开工作簿，待其计算后保存，"
        "或直接填写数值",
    )
    CELL_MERGED = Msg(
        "the cell is under the merged cells {cells}, whose value is in {first} alone; unmerge "
        "them and write the value in each row",
        "该单元格属于合并单元格 {cells}，其值只保存在 {first} 中；请取消合并，并在每一行填写该值",
    )
    CELL_NOT_CALCULATED = Msg(
        "a formula with no value saved ({formula}); open the workbook in Excel or WPS, "
        "let it calculate and save it",
        "公式没有保存计算结果（{formula}）；请在 Excel 或 WPS 中打开工作簿，待其计算后保存",
    )
    CELL_TOO_MANY_DIGITS = Msg(
        "a number cell of more than 15 digits ({shown}): a spreadsheet keeps only 15, so the "
        "last ones are already lost; write ids as text (format the column as Text, then type "
        "or paste them again)",
        "超过 15 位的数字单元格（{shown}）：电子表格只保留 15 位有效数字，末尾几位已经丢失；"
        "请把编号作为文本录入（先将该列设为“文本”格式，再重新输入或粘贴）",
    )
    SUMMARY_SHEET = Msg(
        "sheet: {sheet} ({kind} workbook), header in row {row}",
        "工作表：{sheet}（{kind} 工作簿），表头在第 {row} 行",
    )
    SUMMARY_SHEET_HIDDEN = Msg("{sheet} (hidden)", "{sheet}（隐藏）")
    SUMMARY_TITLE_ROWS = Msg(
        "{count} row(s) above the header ignored (titles, notes)",
        "已忽略表头上方的 {count} 行（标题、说明）",
    )
    SUMMARY_EMPTY_ROWS = Msg("{count} empty row(s) skipped", "已跳过 {count} 个空行")
    SUMMARY_READ_AS_WORKBOOK = Msg(
        "the file is named {suffix} but holds an {kind} workbook: read as a workbook",
        "文件名为 {suffix}，内容却是 {kind} 工作簿：已按工作簿读取",
    )
    SUMMARY_READ_AS_CSV = Msg(
        "the file is named {suffix} but holds text, not a workbook: read as CSV",
        "文件名为 {suffix}，内容却是文本而非工作簿：已按 CSV 读取",
    )
    NO_SUCH_FILE = Msg("no such file", "文件不存在")
    NOT_A_FILE = Msg("not a file", "不是文件")
    IS_THE_INPUT = Msg("{path} is the input; choose another file", "{path} 是输入文件；请另选文件")
    IS_ANOTHER_OUTPUT = Msg(
        "{path} is already another output; choose another file",
        "{path} 已是另一个输出文件；请另选文件",
    )
    IS_A_FOLDER = Msg("{path} is a folder; name a file", "{path} 是文件夹；请指定文件")
    LOG_TARGET_EMPTY = Msg(
        "--log (or CART_SCREEN_LOG) is empty: name the screening log — a file path or a "
        "postgresql+psycopg:// URL — or leave the option out (and the variable unset) to "
        "record nothing",
        "--log（或 CART_SCREEN_LOG）为空：请指定筛查记录库（文件路径或 postgresql+psycopg:// "
        "URL），或不用该选项（并取消该变量）以不作记录",
    )
    IS_THE_LOG = Msg(
        "{path} is the screening log (--log) or one of its files; choose another file",
        "{path} 是筛查记录库（--log）或其附属文件；请另选文件",
    )
    IS_A_DATABASE = Msg(
        "{path} is a database (a screening log?); no output replaces one: choose another file",
        "{path} 是数据库（筛查记录库？）；输出不会覆盖数据库：请另选文件",
    )
    NOT_A_REGULAR_FILE = Msg(
        "{path} is a {kind}; outputs are written only to regular files or new paths "
        "(whole, then renamed into place)",
        "{path} 是{kind}；输出只写入普通文件或新路径（完整写好后再改名就位）",
    )
    CANNOT_WRITE = Msg(
        "cannot write the results to {path}: {reason}; nothing written",
        "无法将结果写入 {path}：{reason}；未写入任何文件",
    )
    CANNOT_WRITE_SOMEWHERE = Msg(
        "cannot write the results: {reason}; nothing written",
        "无法写入结果：{reason}；未写入任何文件",
    )
    WRITE_PERMISSION_DENIED = Msg(
        "permission denied (this user may not write there)", "没有权限（当前用户不能在此写入）"
    )
    WRITE_NO_SUCH_FOLDER = Msg("no such folder", "文件夹不存在")
    WRITE_NOT_A_FOLDER = Msg(
        "a part of the path is a file, not a folder", "路径中的某一部分是文件，而不是文件夹"
    )
    WRITE_DISK_FULL = Msg("the disk is full", "磁盘已满")
    WRITE_QUOTA = Msg("this user's disk quota is used up", "当前用户的磁盘配额已用完")
    WRITE_READ_ONLY = Msg("the disk is read-only", "磁盘为只读")
    WRITE_TOO_LARGE = Msg(
        "the file would be larger than this system allows", "文件将超出系统允许的大小"
    )
    WRITE_NAME_TOO_LONG = Msg("the name is too long", "名称过长")
    WRITE_IS_A_FOLDER = Msg("it is a folder", "这是一个文件夹")
    WRITE_DISK_FAILED = Msg("the disk failed (input/output error)", "磁盘出错（输入/输出错误）")
    WRITE_OTHER = Msg("the system says: {detail}", "系统提示：{detail}")
    STOPPED = Msg(
        "stopped before the end; nothing written",
        "未完成即已停止；未写入任何文件",
    )
    EXISTS = Msg("{path} exists; it is not overwritten", "{path} 已存在；不会覆盖")
    WROTE = Msg("wrote {path}", "已写入 {path}")
    SAVED = Msg("saved {path}", "已保存 {path}")

    # -- OUT.xlsx (workbook_out.py)
    OUTPUT_FORMAT = Msg(
        "{path}: OUT's format follows its extension: .csv (or none) for CSV, .xlsx for an "
        "Excel workbook; {suffix} is not written",
        "{path}：输出格式由扩展名决定：.csv（或无扩展名）为 CSV，.xlsx 为 Excel 工作簿；"
        "不支持写入 {suffix}",
    )
    WORKBOOK_FULL = Msg(
        "the list has more than {limit} records, more than a worksheet holds; write OUT.csv "
        "instead; nothing written",
        "名单超过 {limit} 条记录，超出工作表的行数上限；请改为输出 OUT.csv；未写入任何文件",
    )
    WORKBOOK_CELL_CUT = Msg(
        " … [cut: the cell held {length} characters, a spreadsheet cell holds {limit}]",
        " … [已截断：此单元格有 {length} 个字符，电子表格单元格最多容纳 {limit} 个]",
    )
    WORKBOOK_RESULTS = Msg("Results", "筛查结果")
    WORKBOOK_SUMMARY = Msg("Summary", "汇总")
    WORKBOOK_TITLE = Msg("HICARA pre-screening of a referral list", "HICARA 转诊名单预筛查")
    WORKBOOK_DAY = Msg(
        "Screening date (records without one of their own)", "筛查日期（未填写筛查日期的记录）"
    )
    WORKBOOK_RULESET = Msg("Ruleset", "规则集")
    WORKBOOK_RULESET_IS = Msg("{id} (label revision {revision})", "{id}（说明书修订 {revision}）")
    WORKBOOK_SITE = Msg("Site settings", "机构设置")
    WORKBOOK_READ = Msg("List read", "名单读取")
    WORKBOOK_LEGEND = Msg("Colours on the Results sheet", "“筛查结果”工作表中的颜色")
    WORKBOOK_LEGEND_CELLS = Msg(
        "The outcome cell has its outcome's colour; a non-empty flagged, needs_info or errors "
        "cell is tinted the same way. Every cell holds a value, never a formula.",
        "outcome 单元格按结果着色；flagged、needs_info、errors 单元格不为空时以相同颜色浅染。"
        "所有单元格均为数值或文本，没有公式。",
    )
    WORKBOOK_RULE_TITLE = Msg("title", "名称")
    WORKBOOK_NOTES = Msg("Notes", "说明")

    # -- form files and the command line
    FORM_NO_FILE = Msg("{path}: no such file", "{path}：文件不存在")
    FORM_UNREADABLE = Msg("{path}: cannot be read: {reason}", "{path}：无法读取：{reason}")
    READ_PERMISSION_DENIED = Msg(
        "permission denied (this user may not read it)", "没有权限（当前用户不能读取该文件）"
    )
    TEXT_FILE_NOT_UTF8 = Msg(
        "{path}: not UTF-8 text (nor UTF-16 or UTF-32 with a byte-order mark); save it as UTF-8",
        "{path}：不是 UTF-8 文本（也不是带字节顺序标记（BOM）的 UTF-16 或 UTF-32）；请另存为 UTF-8",
    )
    FORM_BAD_JSON = Msg("{where}: not valid JSON: {detail}", "{where}：不是有效的 JSON：{detail}")
    FORM_BAD_YAML = Msg("{where}: not valid YAML: {detail}", "{where}：不是有效的 YAML：{detail}")
    FORM_NOT_MAPPING = Msg(
        "{path}: expected one patient as `field: value` pairs",
        "{path}：应为一位患者的“字段: 值”键值对",
    )
    ERROR = Msg("cart-screen: error: {message}", "cart-screen：错误：{message}")
    RULES_REFUSED = Msg("the rules were refused:\n{problems}", "规则文件被拒绝：\n{problems}")
    RULES_OK = Msg(
        "ok: {path} — {count} rules, {advisory} advisory checks, sha256 {sha}",
        "通过：{path} — {count} 条规则，{advisory} 项参考核查，sha256 {sha}",
    )
    SQL_BAD_TABLE = Msg(
        "{table!r} is not a table name in {dialect} (write it as table, schema.table or "
        "catalog.schema.table)",
        "{table!r} 不是 {dialect} 中的表名（请写作 表名、模式.表名 或 目录.模式.表名）",
    )
    SQL_ONE_OUTPUT = Msg(
        "--schema and --vocabulary print different things: give one of them",
        "--schema 与 --vocabulary 输出不同的内容：请只选其一",
    )
    SQL_NOT_SAYABLE = Msg(
        "the rules cannot be written in {dialect}: {detail}",
        "无法用 {dialect} 写出这些规则：{detail}",
    )
    INTERNAL_ERROR = Msg(
        "cart-screen: internal error ({kind}); please report it. Set CART_SCREEN_DEBUG=1 to see details.",
        "cart-screen：内部错误（{kind}）；请报告。设置 CART_SCREEN_DEBUG=1 可查看详情。",
    )
    SERVE_OPEN = Msg(
        "cart-screen: open {address} (Ctrl-C stops)",
        "cart-screen：请打开 {address}（Ctrl-C 停止）",
    )
    SERVE_EXPOSED = Msg(
        "cart-screen: warning: serving on {host} lets other machines reach this page; it has no "
        "login. Use 127.0.0.1 unless your network is protected.",
        "cart-screen：警告：在 {host} 上提供服务会让其他机器访问本页面，而本页面没有登录保护。"
        "除非网络受保护，请使用 127.0.0.1。",
    )
    SERVE_PORT_IN_USE = Msg(
        "port {port} is in use: {reason} — another program listens on it; stop it, or choose "
        "another port with --port",
        "端口 {port} 已被占用：{reason} — 另一个程序正在使用它；请停止该程序，或用 --port "
        "选择其他端口",
    )
    SERVE_CANNOT_LISTEN = Msg(
        "cannot listen on {host} port {port}: {reason}",
        "无法在 {host} 的端口 {port} 上监听：{reason}",
    )

    # -- the wizard
    FORM_TITLE = Msg("HICARA referral form", "HICARA 转诊表")
    INSTRUCTIONS = Msg(
        "Enter keeps the value in [brackets] (or leaves an empty one unknown). "
        "Type - to leave a value unknown (it shows as needs info), < to go back, ? for help.",
        "回车保留 [方括号] 中的值（没有则记为不详）。输入 - 表示不详（显示为待补充），"
        "输入 < 返回上一题，输入 ? 查看说明。",
    )
    ACCEPTS = Msg("Accepts {allowed}.", "可填写：{allowed}。")
    QUESTION_CHOICES = Msg("{label} ({choices})", "{label}（{choices}）")
    KEYS_HELP = Msg(
        "Enter keeps the value in [brackets]; - or Ctrl-D on an empty line skips the question "
        "(it shows as needs info); < goes back; ? explains the field; Tab completes; ← → edit the "
        "line; ↑ ↓ recall earlier answers; Ctrl-C stops and offers to save.",
        "回车保留 [方括号] 中的值；输入 - 或在空行按 Ctrl-D 跳过本题（显示为待补充）；输入 < 返回上一题；"
        "输入 ? 查看说明；Tab 补全；← → 编辑本行；↑ ↓ 调出之前的答案；Ctrl-C 停止并询问是否保存。",
    )
    SKIPPED = Msg("skipped: it shows as needs info", "已跳过：显示为待补充")
    REVIEW_TITLE = Msg("Review the answers", "核对答案")
    REVIEW_PROMPT = Msg(
        "Enter a number to change an answer, or press Enter to screen: ",
        "输入编号修改答案，或按回车开始筛查：",
    )
    REVIEW_NO_SUCH = Msg(
        "type a number from 1 to {count}, or press Enter to screen",
        "请输入 1 至 {count} 之间的编号，或按回车开始筛查",
    )
    REVIEW_AGE_FROM_BIRTH = Msg(
        "(not asked: age {age} from the date of birth)", "（未询问：按出生日期计算年龄为 {age} 岁）"
    )
    UNANSWERED = Msg("—", "—")
    STOP_SAVE_TO = Msg(
        "Answers given so far: {count}. Save them to {path}? [y/N] ",
        "目前已填写 {count} 项。保存到 {path}？[y/N] ",
    )
    STOP_OVERWRITE = Msg(
        "{path} exists already. Replace it with these answers? [y/N] ",
        "{path} 已存在。用这些回答替换它吗？[y/N] ",
    )
    PIPED_EXTRA_LINE = Msg(
        "more answer lines than questions (a line left over: {line}); the answers and the "
        "questions do not line up",
        "回答的行数多于问题（多出的一行：{line}）；回答与问题没有对齐",
    )
    PIPED_REFUSED = Msg(
        "answers from standard input: {field}{message}; nothing was screened — asking again "
        "would take the next line, meant for the next question (fix that line and run again)",
        "来自标准输入的回答：{field}{message}；未进行筛查——若重新询问，将读入本属于下一题的下一行"
        "（请修正该行后重新运行）",
    )
    STOP_SAVE_WHERE = Msg(
        "Answers given so far: {count}. To save them, type a file name (FORM.yaml); Enter leaves "
        "without saving: ",
        "目前已填写 {count} 项。如需保存，请输入文件名（FORM.yaml）；按回车不保存直接退出：",
    )
    STOPPED_SAVED = Msg(
        "stopped; the answers given so far ({count}) are saved in {path} (`cart-screen form "
        "--from {path}` goes on from them)",
        "已停止；目前已填写的答案（{count} 项）已保存到 {path}（`cart-screen form --from {path}` 可继续填写）",
    )
    STOPPED_UNSAVED = Msg("stopped; nothing was saved", "已停止；未保存任何内容")
    PREFILL_UNKNOWN = Msg(
        "{path}: keys that are no field of the form (kept, and listed with the checklist):",
        "{path}：以下键不是表单字段（已保留，并会列在清单中）：",
    )
    ID_NEEDED = Msg(
        "a patient id is needed to screen; type the referral's id",
        "筛查需要患者编号；请输入转诊编号",
    )
    READ_AS = Msg("read as {name}", "识别为 {name}")
    NO_ID_GIVEN = Msg("no patient id was given; nothing screened", "未填写患者编号；未进行筛查")
    COMPONENTS_HINT = Msg(
        " Components of comparable products (unconfirmed for HICARA — check the package insert): "
        "{components}.",
        "同类产品的成分（HICARA 尚未确认，请核对说明书）：{components}。",
    )
    GROUP_IDENTITY = Msg("Identity and dates", "身份与日期")
    GROUP_DISEASE = Msg("Diagnosis, disease status and prior lines", "诊断、疾病状态与既往治疗线数")
    GROUP_INFECTION = Msg("Infection and hypersensitivity", "感染与过敏")
    GROUP_HEART = Msg("Heart", "心脏")
    GROUP_LIVER = Msg("Liver", "肝脏")
    GROUP_MEDICINES = Msg("Medicines and vaccines", "用药与疫苗")
    GROUP_SITE = Msg("Treating site", "治疗机构")
    GROUP_ADVISORY = Msg("Advisory (not label)", "参考项（非说明书）")

    # -- the web page
    WEB_TITLE = Msg("HICARA® pre-screening", "HICARA® 预筛查")
    WEB_ONE_PATIENT = Msg("One patient", "单个患者")
    WEB_LIST = Msg("Referral list", "转诊名单")
    WEB_RULES = Msg("Rules", "规则")
    WEB_LANGUAGE = Msg("中文", "English")
    WEB_FORM_TITLE = Msg("Referral form", "转诊表")
    WEB_FORM_LEAD = Msg(
        "Fill in what the referral says. Leave a field empty when it is not known: the checklist "
        "will show it as needs info, never as fine.",
        "按转诊资料填写。不清楚的项目请留空：清单会显示为“待补充”，绝不会当作无异常。",
    )
    WEB_PROBLEMS = Msg(
        "{count} value(s) need correcting — see the marked fields below. Your other answers are kept.",
        "有 {count} 个值需要更正 — 见下方标出的字段。其他填写内容已保留。",
    )
    WEB_REQUIRED = Msg("(required)", "（必填）")
    WEB_NOT_RECORDED = Msg("— not recorded —", "— 未记录 —")
    WEB_SUBMIT = Msg("Show the checklist", "生成清单")
    WEB_ID_NEEDED = Msg("a patient id is needed to screen", "筛查需要患者编号")
    WEB_CHECKLIST = Msg("Pre-screening checklist", "预筛查清单")
    WEB_PATIENT_ID = Msg("Patient id", "患者编号")
    WEB_SCREENING_DATE = Msg("Screening date", "筛查日期")
    WEB_OUTCOME = Msg("Outcome", "结果")
    WEB_STATUS = Msg("Status", "状态")
    WEB_CRITERION = Msg("Criterion", "条目")
    WEB_REASON = Msg("Reason", "理由")
    WEB_LABEL_TEXT = Msg("Label text", "说明书原文")
    WEB_FLAGGED = Msg("✗ flagged", "✗ 提示")
    WEB_NEEDS_INFO = Msg("? needs info", "? 待补充")
    WEB_CLEAR = Msg("✓ clear", "✓ 无异常")
    WEB_OUTCOME_FLAGGED = Msg(
        "Flagged — the physician must review the flagged items", "有提示 — 请医师审阅提示项"
    )
    WEB_OUTCOME_NEEDS_INFO = Msg(
        "Needs info — some items cannot be decided from the data given",
        "待补充 — 部分项目无法根据现有数据判断",
    )
    WEB_OUTCOME_NO_FLAGS = Msg(
        "No flags — no label criterion raises a flag", "无提示 — 现有数据未触发说明书中的任何提示"
    )
    WEB_UNREADABLE = Msg("Values that could not be read", "无法读取的数值")
    WEB_REVIEW = Msg("Physician's review", "医师审阅")
    WEB_DECISION = Msg(
        "Decision: ☐ proceed to CAR-T centre work-up ☐ not now ☐ more information needed",
        "结论：☐ 转入 CAR-T 中心评估 ☐ 暂不 ☐ 需补充资料",
    )
    WEB_PHYSICIAN = Msg("Treating physician (name)", "主治医师（姓名）")
    WEB_SIGNATURE = Msg("Signature and date", "签名及日期")
    WEB_ANOTHER = Msg("Screen another patient", "筛查下一位患者")
    WEB_PRINT = Msg("use your browser's Print for an A4 copy", "可用浏览器“打印”生成 A4 纸质版")
    WEB_LIST_TITLE = Msg("Screen a referral list", "筛查转诊名单")
    WEB_LIST_LEAD = Msg(
        "Upload a referral list — a CSV file or a workbook (.xlsx, .xls, .ods) — with headers as "
        "in the form, up to {limit} MB. You get a results page — outcome counts, each "
        "criterion's counts and the records that need attention — and the results to "
        "download as CSV or as a workbook, one row per referral in the same order.",
        "上传转诊名单——CSV 文件或工作簿（.xlsx、.xls、.ods）——表头与表单字段一致，不超过 {limit} MB。"
        "将显示结果页面——各结果的数量、各条目的统计及需要关注的记录——并可下载 CSV 或工作簿格式的结果，"
        "每位转诊患者一行，顺序不变。",
    )
    WEB_LIST_FILE = Msg(
        "Referral list (CSV, or a workbook: .xlsx, .xlsm, .xlsb, .xls, .ods)",
        "转诊名单（CSV，或工作簿 .xlsx、.xlsm、.xlsb、.xls、.ods）",
    )
    WEB_ENCODING = Msg("Encoding", "编码")
    WEB_DETECT = Msg(
        "Detect (UTF-8, UTF-16 with BOM, GB18030)", "自动识别（UTF-8、带 BOM 的 UTF-16、GB18030）"
    )
    WEB_UTF8 = Msg("UTF-8 (also with Excel's BOM)", "UTF-8（含 Excel 的 BOM）")
    WEB_GB18030 = Msg("GB18030 (Chinese Windows/WPS)", "GB18030（中文 Windows/WPS）")
    WEB_LIST_SUBMIT = Msg("Screen the list", "筛查名单")
    WEB_CHOOSE_FILE = Msg(
        "choose a file first: the referral list, as a CSV file or a workbook",
        "请先选择文件：CSV 文件或工作簿格式的转诊名单",
    )
    WEB_TOO_LARGE = Msg(
        "the list is larger than {limit} MB, the most this page takes; split it into smaller "
        "lists and upload them one by one",
        "名单超过本页面可接收的上限 {limit} MB；请拆分为较小的名单，逐份上传",
    )
    WEB_BASIS_TITLE = Msg("Clinical basis", "临床依据")
    WEB_BUSY = Msg(
        "the page is screening as many lists as it takes at a time ({count}); "
        "try again in a minute",
        "本页同时筛查的名单已达上限（{count} 份）；请稍后再试",
    )
    WEB_LIST_TIMEOUT = Msg(
        "the list took longer than {seconds} s to screen and was stopped; split it into smaller "
        "lists and upload them one by one",
        "名单筛查超过 {seconds} 秒，已停止；请拆分为较小的名单，逐份上传",
    )
    WEB_BODY_TIMEOUT = Msg(
        "the request took longer than {seconds} s to arrive and was stopped; try again",
        "请求在 {seconds} 秒内未传送完毕，已停止；请重试",
    )
    WEB_BASIS_LINK = Msg(
        "Clinical basis of every rule, threshold and definition: /clinical-basis",
        "每条规则、阈值与定义的临床依据：/clinical-basis",
    )
    # -- the web form: errors, switching language, editing (issue 13)
    WEB_FIX_LINK = Msg("{label}: {message}", "{label}：{message}")
    WEB_CLEAR_FORM = Msg("Clear the form", "清空表单")
    WEB_EDIT = Msg("Edit these answers", "修改填写内容")
    WEB_OUTCOME_COUNTS = Msg(
        "{flagged} flagged · {needs_info} need info · {clear} clear of {total} criteria",
        "{total} 项条目中：{flagged} 项提示 · {needs_info} 项待补充 · {clear} 项无异常",
    )
    WEB_RESUBMIT = Msg(
        "This checklist is the answer to the form and is not stored: refreshing the page sends "
        "the answers again. To change an answer, use “Edit these answers”.",
        "本清单是对所填表单的答复，不会保存：刷新页面会再次提交所填内容。如需修改，请点击“修改填写内容”。",
    )
    WEB_ENTER_NEXT = Msg(
        "Enter moves to the next field; the button at the end shows the checklist.",
        "按回车键跳到下一项；点击末尾的按钮生成清单。",
    )
    # -- the Rules page
    WEB_RULES_LEAD = Msg(
        "Every criterion this page screens against: what raises its flag, the basis of each "
        "threshold, the data it needs and the label text it cites; then how values may be written.",
        "本页面据以筛查的全部条目：触发提示的条件、各阈值的依据、所需数据及所引用的说明书原文；其后是各项数值的可接受写法。",
    )
    WEB_THRESHOLD_BASIS = Msg("Basis of the threshold", "阈值依据")
    WEB_FIELD = Msg("Field", "字段")
    WEB_ACCEPTS = Msg("Accepts", "可填写")
    WEB_VALUE = Msg("Value", "值")
    WEB_SPELLINGS = Msg("Also written as", "其他写法")
    WEB_CODE = Msg("Code", "代码")
    WEB_NAME = Msg("Name", "名称")
    WEB_OTHER_NAMES = Msg("Other names", "其他名称")
    WEB_BASIS_LINK_TEXT = Msg(
        "The clinical basis of every rule, threshold and definition",
        "每条规则、阈值与定义的临床依据",
    )
    WEB_FINGERPRINT_LINE = Msg(
        "Ruleset fingerprint (sha256 of the rule files loaded)",
        "规则集指纹（所加载规则文件的 sha256）",
    )
    # -- error pages
    WEB_NOT_FOUND_TITLE = Msg("Page not found", "页面不存在")
    WEB_NOT_FOUND = Msg(
        "There is no page at this address. The links above lead to every page.",
        "此地址没有页面。上方的链接可前往所有页面。",
    )
    WEB_NOT_ALLOWED_TITLE = Msg("Not available this way", "无法以此方式访问")
    WEB_NOT_ALLOWED = Msg(
        "This address does not answer that kind of request. The links above lead to every page.",
        "此地址不接受这种请求。上方的链接可前往所有页面。",
    )
    WEB_BAD_REQUEST_TITLE = Msg("The request could not be used", "无法处理该请求")
    WEB_TOO_LARGE_TITLE = Msg("Too large", "文件过大")
    WEB_TIMEOUT_TITLE = Msg("Too slow", "传送超时")
    WEB_BUSY_TITLE = Msg("Busy", "繁忙")
    WEB_INTERNAL_TITLE = Msg("Something went wrong", "出现错误")
    WEB_INTERNAL_ERROR = Msg(
        "internal error ({kind}); nothing was stored. Please try again, and report it to "
        "whoever runs this page if it happens again.",
        "内部错误（{kind}）；未保存任何内容。请重试；如再次出现，请报告本页面的管理者。",
    )
    WEB_GONE_TITLE = Msg("These results are no longer held", "结果已不再保留")
    WEB_GONE = Msg(
        "Results are held in the server's memory for {minutes} minutes, then dropped; upload "
        "the list again.",
        "结果仅在服务器内存中保留 {minutes} 分钟，随后即被清除；请重新上传名单。",
    )
    # -- the list upload and its results page (issue 13 part 3, issue 10 part 3)
    WEB_TEMPLATE = Msg(
        "Download an empty template list (every column the page reads)",
        "下载空白名单模板（包含本页面读取的全部列）",
    )
    WEB_LIST_RESULTS = Msg("Results: {name}", "筛查结果：{name}")
    WEB_LIST_SCREENED = Msg(
        "{records} records screened, in the order of the list; a record without a screening "
        "date of its own was screened as of {day}.",
        "共筛查 {records} 条记录，顺序与名单一致；未填写筛查日期的记录按 {day} 筛查。",
    )
    WEB_LIST_EMPTY = Msg(
        "The list has a header row but no records: nothing was screened. The download holds "
        "the header row only.",
        "名单只有表头行，没有记录：未进行筛查。下载的文件只含表头行。",
    )
    WEB_OUTCOMES = Msg("Outcomes", "结果分布")
    WEB_RECORDS = Msg("Records", "记录数")
    WEB_SHARE = Msg("Share", "占比")
    WEB_OUTCOME_ERROR = Msg("Error — could not be screened", "错误 — 无法筛查")
    WEB_PER_RULE = Msg("Per criterion", "各条目统计")
    WEB_PER_RULE_CHART = Msg(
        "Records flagged and needing information, per criterion",
        "各条目的提示与待补充记录数",
    )
    WEB_FLAGGED_COUNT = Msg("Flagged", "提示")
    WEB_NEEDS_INFO_COUNT = Msg("Needs info", "待补充")
    WEB_ATTENTION = Msg("Records that need attention", "需要关注的记录")
    WEB_ATTENTION_NONE = Msg(
        "No record is flagged, needs information, holds a value that could not be read or "
        "could not be screened.",
        "没有记录被提示、待补充、含无法读取的数值或无法筛查。",
    )
    WEB_ATTENTION_MORE = Msg(
        "The first {shown} of {count} are shown; the download holds every record.",
        "仅显示 {count} 条中的前 {shown} 条；下载的文件包含全部记录。",
    )
    WEB_ROW = Msg("Row", "行号")
    WEB_ERRORS = Msg("Values that could not be read", "无法读取的数值")
    WEB_DOWNLOADS = Msg("Download", "下载")
    WEB_DOWNLOAD_CSV = Msg(
        "Results as CSV: one row per record, in the order of the list",
        "结果 CSV：每条记录一行，顺序与名单一致",
    )
    WEB_DOWNLOAD_XLSX = Msg(
        "Results as an Excel workbook: the same rows, statuses coloured, a summary sheet",
        "结果 Excel 工作簿：行与 CSV 相同，状态着色，另有汇总表",
    )
    WEB_HELD_FOR = Msg(
        "The results are held in this server's memory for {minutes} minutes for the download, "
        "then dropped. This page has its own address: refreshing it "
        "does not screen the list again.",
        "结果仅在服务器内存中保留 {minutes} 分钟以供下载，随后即被清除。本页有独立地址：刷新不会重新筛查名单。",
    )
    WEB_DUPLICATES = Msg(
        "{ids} patient ids occur more than once ({records} records, each screened)",
        "{ids} 个患者编号重复出现（共 {records} 条记录，均已筛查）",
    )
    WEB_SCREEN_ANOTHER_LIST = Msg("Screen another list", "筛查另一份名单")
    WEB_SITE_FILE = Msg("site file {name} · sha256", "机构设置文件 {name} · sha256")
    WEB_FINGERPRINT = Msg(
        "Ruleset {id} · label revision {revision} · sha256",
        "规则集 {id} · 说明书修订 {revision} · sha256",
    )

    # -- the screening log (SPEC §9, issue 11)
    LOG_BAD_TARGET = Msg(
        "--log takes a file path (a SQLite file) or a postgresql+psycopg:// URL, not {target}",
        "--log 应为文件路径（SQLite 文件）或 postgresql+psycopg:// 地址，而不是 {target}",
    )
    LOG_UNREACHABLE = Msg(
        "the screening log {where} cannot be used ({detail})",
        "无法使用筛查记录库 {where}（{detail}）",
    )
    LOG_NO_SUCH_FILE = Msg(
        "there is no screening log at {where}: check the path (the log is made by the first "
        "check, form, batch or serve run with --log)",
        "{where} 处没有筛查记录库：请检查路径（记录库由首次带 --log 运行的 check、form、batch 或 serve 创建）",
    )
    LOG_FOREIGN = Msg(
        "{where} holds other tables and is not a screening log: give the log a file or "
        "database of its own",
        "{where} 含有其他数据表，不是筛查记录库：请为记录库使用单独的文件或数据库",
    )
    LOG_NOT_PRIVATE = Msg(
        "the screening log file {where} may be read by other users (mode {mode}); it holds "
        "patient data: make it private first (chmod 600 {where})",
        "筛查记录库文件 {where} 可被其他用户读取（权限 {mode}）；其中有患者数据：请先设为私有（chmod 600 {where}）",
    )
    LOG_LOCKED = Msg(
        "the screening log {where} is locked: another program held it for more than {seconds} s; "
        "try again",
        "筛查记录库 {where} 被锁定：另一程序占用超过 {seconds} 秒；请重试",
    )
    LOG_REFUSED = Msg(
        "the screening log {where} refused the change: it is append-only",
        "筛查记录库 {where} 拒绝了修改：记录只能追加",
    )
    LOG_NOT_RECORDED = Msg(
        "NOT RECORDED: the screening above is not in the screening log — {reason}",
        "未记录：以上筛查未写入筛查记录库 — {reason}",
    )
    LOG_RECORDED = Msg("recorded as screening {id} in {where}", "已记录为筛查 {id}，记录库 {where}")
    LOG_LIST_RECORDED = Msg(
        "{count} screenings recorded in {where}", "已在 {where} 中记录 {count} 次筛查"
    )
    LOG_FILE_GONE = Msg(
        "the screening log {where} was removed or replaced while the list was screened: the "
        "screenings recorded went to the file that was there then, not to the one there now",
        "筛查期间记录库 {where} 被删除或替换：已记录的筛查写入了当时的文件，而非现在的文件",
    )
    LOG_IN_DOUBT = Msg(
        "the log did not answer about {count} more, being stored when the run stopped waiting "
        "for it: look in the log before screening them again",
        "另有 {count} 次筛查在停止等待时仍在写入，记录库未回应：重新筛查前请先在记录库中核对",
    )
    LOG_UNGUARDED = Msg(
        "the screening log {where} is no longer append-only — its triggers {missing} are gone "
        "or changed, so what it holds may have been altered: it is not used; restore it from a "
        "backup or ask its administrator",
        "筛查记录库 {where} 已不再是只追加的——其触发器 {missing} 已被删除或更改，所存内容可能已被改动："
        "不再使用；请从备份恢复或联系管理员",
    )
    LOG_UNCONFIRMED = Msg(
        "the log lost the connection as it committed {count} more: it may hold them or not — "
        "look in the log before screening them again",
        "另有 {count} 次筛查在提交时与记录库断开连接：记录库可能已保存，也可能没有——重新筛查前请先在记录库中核对",
    )
    LOG_LIST_STOPPED = Msg(
        "{count} screenings of this list were recorded in the log before the stop",
        "停止前，本名单已有 {count} 次筛查写入记录库",
    )
    LOG_LIST_PARTLY = Msg(
        "{count} screenings of this list were recorded in the log before it failed",
        "失败前，本名单已有 {count} 次筛查写入记录库",
    )
    LOG_UNKNOWN_PATIENT = Msg(
        "no screening of patient {patient} is in the screening log",
        "筛查记录库中没有患者 {patient} 的筛查",
    )
    LOG_NEEDED = Msg(
        "no screening log given: use --log DB (or set CART_SCREEN_LOG)",
        "未指定筛查记录库：请使用 --log DB（或设置 CART_SCREEN_LOG）",
    )
    LOG_EMPTY = Msg("the screening log holds no screening yet", "筛查记录库中还没有筛查")
    LOG_ONE_SCREENING = Msg(
        "only one screening of {patient} is recorded (screening {id}): nothing to compare yet",
        "{patient} 仅有一次筛查记录（筛查 {id}）：暂无可比较的内容",
    )
    LOG_DIFF_HEAD = Msg(
        "{patient}: screening {before} ({before_at}) → screening {after} ({after_at})",
        "{patient}：筛查 {before}（{before_at}）→ 筛查 {after}（{after_at}）",
    )
    LOG_NO_CHANGES = Msg("no status and no value changed", "状态与数值均无变化")
    LOG_ALSO_CHANGED = Msg("other values changed:", "其他变化的数值：")
    LOG_RULES_CHANGED = Msg(
        "the rules changed between the two screenings (sha256 {before}… → {after}…): a status "
        "may have changed with the rules, not with the patient",
        "两次筛查之间规则已更改（sha256 {before}… → {after}…）：状态的变化可能来自规则，而非患者",
    )
    LOG_DECIDED = Msg(
        "decision recorded for {patient}: {decision}, by {physician}, on screening {id}",
        "已记录 {patient} 的结论：{decision}，医师 {physician}，依据筛查 {id}",
    )
    LOG_PHYSICIAN_NEEDED = Msg(
        "the physician's name is needed (--physician NAME)", "需要医师姓名（--physician 姓名）"
    )
    LOG_EXPORT_FORMAT = Msg(
        "{path}: the log is exported as .csv or .xlsx; name the file so",
        "{path}：记录库只能导出为 .csv 或 .xlsx；请使用相应的文件名",
    )
    LOG_EXPORTED = Msg("wrote {count} rows to {path}", "已向 {path} 写入 {count} 行")
    LOG_NO_DECISION = Msg("no decision yet", "尚无结论")
    LOG_OPEN_NONE = Msg("none", "无")
    LOG_LIST_LINE = Msg(
        "{patient} · screening {id}, {at} · {outcome} · open: {open} · {decision}",
        "{patient} · 筛查 {id}，{at} · {outcome} · 待处理：{open} · {decision}",
    )
    LOG_DECISION_LINE = Msg(
        "{decision} ({physician}, {at}, on screening {id})",
        "{decision}（{physician}，{at}，依据筛查 {id}）",
    )
    LOG_DECISION_EARLIER = Msg(
        "made before the latest screening: review it", "早于最近一次筛查：请重新审核"
    )
    LOG_SCREENING_LINE = Msg(
        "screening {id} · {at} · {source} · by {who} · screening date {date} · {outcome} · "
        "rules sha256 {sha}",
        "筛查 {id} · {at} · {source} · 操作人 {who} · 筛查日期 {date} · {outcome} · "
        "规则 sha256 {sha}",
    )
    LOG_SOURCE_ROW = Msg("{source} {file} row {row}", "{source} {file} 第 {row} 行")
    LOG_DECISION_SHOWN = Msg(
        "decision {id} · {at} · {decision} · physician {physician} · on screening {screening} · "
        "recorded by {who}",
        "结论 {id} · {at} · {decision} · 医师 {physician} · 依据筛查 {screening} · 记录人 {who}",
    )
    LOG_NOTE = Msg("note: {note}", "备注：{note}")
    LOG_OPEN_ITEMS = Msg("open: {items}", "待处理：{items}")
    LOG_ERRORS = Msg("unreadable: {errors}", "无法读取：{errors}")
    LOG_FLAGGED = Msg("flagged", "提示")
    LOG_NEEDS_INFO = Msg("needs info", "待补充")
    LOG_CLEAR = Msg("clear", "无异常")
    LOG_NOT_SCREENED = Msg("not screened", "未筛查")
    LOG_NO_FLAGS = Msg("no flags", "无提示")
    LOG_ERROR = Msg("error", "错误")
    LOG_NOT_RECORDED_VALUE = Msg("—", "—")
    DECISION_PROCEED = Msg("proceed to CAR-T centre work-up", "转入 CAR-T 中心评估")
    DECISION_NOT_NOW = Msg("not now", "暂不")
    DECISION_MORE_INFO = Msg("more information needed", "需补充资料")
    WEB_LOG = Msg("Screening log", "筛查记录")
    WEB_LOG_LEAD = Msg(
        "Every screening recorded, one line per patient, latest first. Acting as {who}.",
        "已记录的全部筛查，每位患者一行，最新的在前。当前操作人：{who}。",
    )
    WEB_LOG_FILTER = Msg("Show", "显示")
    WEB_LOG_ALL = Msg("all outcomes", "全部结果")
    WEB_LOG_APPLY = Msg("Filter", "筛选")
    WEB_LOG_PATIENT = Msg("Patient", "患者")
    WEB_LOG_LAST = Msg("Last screened (UTC)", "最近筛查（UTC）")
    WEB_LOG_SCREENINGS = Msg("Screenings", "筛查次数")
    WEB_LOG_OPEN = Msg("Open items", "待处理项目")
    WEB_LOG_DECISION = Msg("Decision", "结论")
    WEB_LOG_EMPTY = Msg("No screening recorded yet.", "还没有筛查记录。")
    WEB_LOG_HISTORY = Msg("Screenings, oldest first", "筛查记录（按时间先后）")
    WEB_LOG_CHANGES = Msg(
        "Changes from screening {before} to screening {after}",
        "从筛查 {before} 到筛查 {after} 的变化",
    )
    WEB_LOG_DECISIONS = Msg("Decisions", "结论")
    WEB_LOG_DECIDE = Msg(
        "Record the physician's decision on screening {id}", "记录医师对筛查 {id} 的结论"
    )
    WEB_LOG_PHYSICIAN = Msg("Physician (name)", "医师（姓名）")
    WEB_LOG_NOTE_FIELD = Msg("Note (optional)", "备注（可选）")
    WEB_LOG_RECORD = Msg("Record the decision", "记录结论")
    WEB_LOG_FORBIDDEN = Msg(
        "this form did not come from this page, or it has expired; reload the page and send it again",
        "此表单并非来自本页面，或已过期；请刷新页面后重新提交",
    )
    WEB_LOG_OPEN_PAGE = Msg("Open", "打开")
    WEB_LOG_NO_USER = Msg(
        "no user: the sign-on proxy's {header} header is missing from the request",
        "无用户：请求中缺少单点登录代理的 {header} 请求头",
    )
    WEB_LOG_NO_SCREENING = Msg(
        "no screening {id} is in the screening log", "筛查记录库中没有筛查 {id}"
    )
    WEB_LOG_RECORDED_BY = Msg(
        "Screening {id}, recorded {at} by {who} ({source}).",
        "筛查 {id}，{at} 由 {who} 记录（{source}）。",
    )
    WEB_LOG_SCREENING = Msg("Screening {id}", "筛查 {id}")
    WEB_LOG_CHECKLIST = Msg("the stored checklist", "已保存的清单")
    WEB_LOG_STORED_STATUSES = Msg(
        "Screened in a list: the log keeps each item's status and every unreadable value, as "
        "the results file has them.",
        "此次为名单筛查：记录库保存每个项目的状态及所有无法读取的数值，与结果文件一致。",
    )
    WEB_LIST_RECORDED = Msg(
        "{count} screenings recorded in the screening log.", "已在筛查记录库中记录 {count} 次筛查。"
    )
    WEB_LIST_NOT_RECORDED = Msg(
        "NOT RECORDED: {count} screenings of this list were recorded in the screening log; the "
        "other {rest} are not in it — {reason}",
        "未记录：本名单已有 {count} 次筛查写入筛查记录库；其余 {rest} 次未写入 — {reason}",
    )
    WEB_LOG_NOT_THIS_PATIENT = Msg(
        "screening {id} is another patient's screening, not one of patient {patient}: no "
        "decision is recorded",
        "筛查 {id} 是另一位患者的筛查，不是患者 {patient} 的：未记录任何结论",
    )
    WEB_LOG_BAD_OUTCOME = Msg(
        "the worklist has no outcome “{outcome}” to show: choose one of {allowed}, or all outcomes",
        "筛查记录没有可显示的结果“{outcome}”：请选择 {allowed} 之一，或全部结果",
    )


WEB_WORDING: tuple[tuple[Msg, Msg], ...] = (
    (
        Msg("(see `cart-screen rules show`)", "（见 `cart-screen rules show`）"),
        Msg("(see the Rules page)", "（见“规则”页面）"),
    ),
    (
        Msg("the Rules page, or `cart-screen rules show`", "“规则”页面或 `cart-screen rules show`"),
        Msg("the Rules page", "“规则”页面"),
    ),
    (
        Msg(
            "or set lab_uln in the site file (--site)",
            "或在机构设置文件（--site）的 lab_uln 中设置",
        ),
        Msg(
            "or ask whoever runs this page to set the lab's ULN (lab_uln) in its site file",
            "或请本页面的管理者在机构设置文件的 lab_uln 中设置",
        ),
    ),
    (
        Msg("NOT RECORDED: the screening above", "未记录：以上筛查"),
        Msg("NOT RECORDED: this screening", "未记录：本次筛查"),
    ),
    (
        Msg(
            "name the sheet to screen with --sheet NAME", "请用 --sheet 工作表名 指明要筛查的工作表"
        ),
        Msg("name the sheet to screen under Sheet", "请在“工作表”一栏填写要筛查的工作表"),
    ),
    (
        Msg("(choose one with --sheet)", "（用 --sheet 选择）"),
        Msg("(name one under Sheet)", "（在“工作表”一栏填写）"),
    ),
    (
        Msg("(or map one with --columns)", "（或用 --columns 映射）"),
        Msg("(the template list has every column)", "（名单模板列出了全部列）"),
    ),
    (
        Msg("not a CSV; export", "不是 CSV；请从"),
        Msg("not a CSV file or workbook; export", "不是 CSV 文件或工作簿；请从"),
    ),
    (
        Msg(
            "not a CSV; a referral list must be a CSV (UTF-8) file",
            "不是 CSV；转诊名单须为 CSV（UTF-8）文件",
        ),
        Msg(
            "not a CSV file or workbook; save the referral list as .xlsx or as CSV (UTF-8) and "
            "upload that",
            "不是 CSV 文件或工作簿；请将转诊名单另存为 .xlsx 或 CSV（UTF-8）后上传",
        ),
    ),
    (
        Msg("not a text file:", "不是文本文件："),
        Msg(
            "not a CSV file or workbook (not a text file):",
            "不是 CSV 文件或工作簿（不是文本文件）：",
        ),
    ),
    (
        Msg("see `cart-screen schema`", "见 `cart-screen schema`"),
        Msg("the fields are listed on the Rules page", "全部字段见“规则”页面"),
    ),
    (  # the page names no duplicate id (it has no --show-duplicates): WEB_DUPLICATES
        Msg("; --show-duplicates lists them", "；加 --show-duplicates 可列出"),
        Msg("", ""),
    ),
)
"""What the command line says (part of a message) and what the web page says instead: a page
has no options or commands to send its user to. `web_wording` applies it; tests/test_web.py
checks that every message the page can show is free of them."""


def web_wording(text: str, language: Language = "en") -> str:
    """A message as the web page says it (see WEB_WORDING)."""
    for said, instead in WEB_WORDING:
        text = text.replace(said(language), instead(language))
    return text


FILE_KINDS: dict[str, Said] = {
    "symbolic link": Said("symbolic link", "符号链接"),
    "device": Said("device", "设备文件"),
    "named pipe (FIFO)": Said("named pipe (FIFO)", "命名管道（FIFO）"),
    "socket": Said("socket", "套接字"),
    "folder": Said("folder", "文件夹"),
}
"""What an output path may be instead of a regular file (files.SPECIAL_KINDS), as said."""


FIELD_ERROR_MESSAGES = (
    "REFUSED_BECAUSE", "EXPECTED", "UNKNOWN_DIAGNOSIS", "UNKNOWN_FIELD", "BIRTH_AFTER_SCREENING", "AGE_FROM_BIRTH_IMPLAUSIBLE",
    "AGE_CONFLICT", "MISSING_ID", "CELLS_COUNT", "BAD_BYTES", "BAD_CSV", "RECORD_TOO_LONG", "NOT_SCREENED",
    "GIVEN_TWICE", "DAY_MONTH_ORDER", "NOT_YEAR_FIRST", "IN_DOUBT", "CONTROL_CHARACTER", "INVISIBLE_CHARACTER", "CONTROL_KEY", "DATE_IMPLAUSIBLE", "IMPLAUSIBLE", "A_LIST", "A_BOUND", "STRAY_MARK", "TOO_MANY_DIGITS",
    "A_RANGE", "DECIMAL_COMMA", "TWO_VALUES", "DID_YOU_MEAN", "SCORE_OUT", "UNKNOWN_DIAGNOSIS_CLOSE",
    "LAB_UNREADABLE", "LAB_UNKNOWN_UNIT", "LAB_TWO_ULNS", "LAB_BARE_LARGE", "LAB_VALUE_UNIT", "LAB_NO_ULN", "LAB_ULN_NOT_POSITIVE", "LAB_ULN_IMPLAUSIBLE",
    "ALLOWED_LAB", "ALLOWED_YES_NO", "ALLOWED_DATE",
    "MEASURE_UNREADABLE", "MEASURE_CONVERTED", "MEASURE_BARE_READ", "MEASURE_BARE_NONE", "MEASURE_BARE_TWO", "ALLOWED_MEASURE",
)  # fmt: skip
"""Messages that can stand in OUT.csv's `errors` column, which SPEC §5 joins with "; ":
their English never holds "; " itself, so that a program can split the column."""


def messages() -> dict[str, Msg]:
    """Every message of the catalogue by name (for the completeness test)."""
    return {name: value for name, value in vars(M).items() if isinstance(value, Msg)}


CHOICE_NAMES: dict[str, Said] = {
    "relapsed": Said("relapsed", "复发"),
    "refractory": Said("refractory", "难治"),
    "relapsed_or_refractory": Said("relapsed or refractory", "复发或难治"),
    "remission": Said("remission", "缓解"),
    "untreated": Said("untreated", "未治疗"),
    "none": Said("none", "无"),
    "controlled": Said("controlled", "已控制"),
    "uncontrolled": Said("uncontrolled", "未控制"),
    "history": Said("history", "既往"),
    "active": Said("active", "活动性"),
    "positive": Said("positive", "阳性"),
    "negative": Said("negative", "阴性"),
}
"""How coded choice values read; NYHA and Child-Pugh classes read the same in both languages."""
