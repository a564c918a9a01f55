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
        "NO FLAGS — nothing in the data raises a flag", "无提示 — 现有数据未触发任何提示"
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
    MAP_UNREADABLE = Msg("{path}: cannot be read ({kind})", "{path}：无法读取（{kind}）")
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
    NO_SUCH_FILE = Msg("no such file", "文件不存在")
    NOT_A_FILE = Msg("not a file", "不是文件")
    IS_THE_INPUT = Msg("{path} is the input; choose another file", "{path} 是输入文件；请另选文件")
    IS_ANOTHER_OUTPUT = Msg(
        "{path} is already another output; choose another file",
        "{path} 已是另一个输出文件；请另选文件",
    )
    IS_A_FOLDER = Msg("{path} is a folder; name a file", "{path} 是文件夹；请指定文件")
    NOT_A_REGULAR_FILE = Msg(
        "{path} is a {kind}; outputs are written only to regular files or new paths "
        "(whole, then renamed into place)",
        "{path} 是{kind}；输出只写入普通文件或新路径（完整写好后再改名就位）",
    )
    CANNOT_WRITE = Msg(
        "cannot write the results ({kind}: {detail}); nothing written",
        "无法写入结果（{kind}：{detail}）；未写入任何文件",
    )
    STOPPED = Msg(
        "stopped before the end; nothing written",
        "未完成即已停止；未写入任何文件",
    )
    EXISTS = Msg("{path} exists; it is not overwritten", "{path} 已存在；不会覆盖")
    WROTE = Msg("wrote {path}", "已写入 {path}")
    SAVED = Msg("saved {path}", "已保存 {path}")

    # -- form files and the command line
    FORM_NO_FILE = Msg("{path}: no such file", "{path}：文件不存在")
    FORM_UNREADABLE = Msg("{path}: cannot be read ({kind})", "{path}：无法读取（{kind}）")
    FORM_BAD_JSON = Msg("{where}: not valid JSON: {detail}", "{where}：不是有效的 JSON：{detail}")
    FORM_BAD_YAML = Msg("{where}: not valid YAML: {detail}", "{where}：不是有效的 YAML：{detail}")
    FORM_NOT_MAPPING = Msg(
        "{path}: expected one patient as `field: value` pairs",
        "{path}：应为一位患者的“字段: 值”键值对",
    )
    ERROR = Msg("cart-screen: error: {message}", "cart-screen：错误：{message}")
    RULES_REFUSED = Msg("the rules were refused:\n{problems}", "规则文件被拒绝：\n{problems}")
    RULES_OK = Msg(
        "ok: {path} — {count} rules, sha256 {sha}", "通过：{path} — {count} 条规则，sha256 {sha}"
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
        "cart-screen: open http://{host}:{port}/ (Ctrl-C stops)",
        "cart-screen：请打开 http://{host}:{port}/（Ctrl-C 停止）",
    )
    SERVE_EXPOSED = Msg(
        "cart-screen: warning: serving on {host} lets other machines reach this page; it has no "
        "login. Use 127.0.0.1 unless your network is protected.",
        "cart-screen：警告：在 {host} 上提供服务会让其他机器访问本页面，而本页面没有登录保护。"
        "除非网络受保护，请使用 127.0.0.1。",
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
        "No flags — nothing in the data raises a flag", "无提示 — 现有数据未触发任何提示"
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
        "Upload a CSV referral list (headers as in the form; up to {limit} MB). You get back a "
        "results CSV with one row per referral, in the same order. Nothing is stored.",
        "上传 CSV 转诊名单（表头与表单字段一致；不超过 {limit} MB）。将返回结果 CSV，每位转诊患者一行，"
        "顺序不变。不保存任何数据。",
    )
    WEB_LIST_FILE = Msg("Referral list (CSV)", "转诊名单（CSV）")
    WEB_ENCODING = Msg("Encoding", "编码")
    WEB_DETECT = Msg(
        "Detect (UTF-8, UTF-16 with BOM, GB18030)", "自动识别（UTF-8、带 BOM 的 UTF-16、GB18030）"
    )
    WEB_UTF8 = Msg("UTF-8 (also with Excel's BOM)", "UTF-8（含 Excel 的 BOM）")
    WEB_GB18030 = Msg("GB18030 (Chinese Windows/WPS)", "GB18030（中文 Windows/WPS）")
    WEB_LIST_SUBMIT = Msg("Screen and download results", "筛查并下载结果")
    WEB_CHOOSE_FILE = Msg("choose a CSV file to upload", "请选择要上传的 CSV 文件")
    WEB_TOO_LARGE = Msg(
        "the list is larger than {limit} MB; use `cart-screen batch`",
        "名单超过 {limit} MB；请使用 `cart-screen batch`",
    )
    WEB_BASIS_TITLE = Msg("Clinical basis", "临床依据")
    WEB_BUSY = Msg(
        "the page is screening as many lists as it takes at a time ({count}); "
        "try again in a minute",
        "本页同时筛查的名单已达上限（{count} 份）；请稍后再试",
    )
    WEB_LIST_TIMEOUT = Msg(
        "the list took longer than {seconds} s to screen and was stopped; split it, or use "
        "`cart-screen batch`",
        "名单筛查超过 {seconds} 秒，已停止；请拆分名单，或使用 `cart-screen batch`",
    )
    WEB_BODY_TIMEOUT = Msg(
        "the request took longer than {seconds} s to arrive and was stopped; try again",
        "请求在 {seconds} 秒内未传送完毕，已停止；请重试",
    )
    WEB_BASIS_LINK = Msg(
        "Clinical basis of every rule, threshold and definition: /clinical-basis",
        "每条规则、阈值与定义的临床依据：/clinical-basis",
    )
    WEB_SITE_FILE = Msg("site file {name} · sha256", "机构设置文件 {name} · sha256")
    WEB_FINGERPRINT = Msg(
        "Ruleset {id} · label revision {revision} · sha256",
        "规则集 {id} · 说明书修订 {revision} · sha256",
    )


FILE_KINDS: dict[str, Said] = {
    "symbolic link": Said("symbolic link", "符号链接"),
    "device": Said("device", "设备文件"),
    "named pipe (FIFO)": Said("named pipe (FIFO)", "命名管道（FIFO）"),
    "socket": Said("socket", "套接字"),
    "folder": Said("folder", "文件夹"),
}
"""What an output path may be instead of a regular file (files.SPECIAL_KINDS), as said."""


FIELD_ERROR_MESSAGES = (
    "REFUSED_BECAUSE", "EXPECTED", "UNKNOWN_DIAGNOSIS", "UNKNOWN_FIELD", "BIRTH_AFTER_SCREENING",
    "AGE_CONFLICT", "MISSING_ID", "CELLS_COUNT", "BAD_BYTES", "BAD_CSV", "RECORD_TOO_LONG", "NOT_SCREENED",
    "GIVEN_TWICE", "DAY_MONTH_ORDER", "NOT_YEAR_FIRST", "IN_DOUBT", "DATE_IMPLAUSIBLE", "IMPLAUSIBLE", "A_LIST", "A_BOUND",
    "A_RANGE", "DECIMAL_COMMA", "TWO_VALUES", "DID_YOU_MEAN", "SCORE_OUT", "UNKNOWN_DIAGNOSIS_CLOSE",
    "LAB_UNREADABLE", "LAB_UNKNOWN_UNIT", "LAB_TWO_ULNS", "LAB_BARE_LARGE", "LAB_VALUE_UNIT", "LAB_NO_ULN", "LAB_ULN_NOT_POSITIVE", "LAB_ULN_IMPLAUSIBLE",
    "ALLOWED_LAB", "ALLOWED_YES_NO", "ALLOWED_DATE",
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
}
"""How coded choice values read; NYHA and Child-Pugh classes read the same in both languages."""
