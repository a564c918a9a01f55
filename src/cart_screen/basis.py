"""The clinical basis page (docs/clinical-basis.md), generated from the rule files so it cannot drift.

Every rule with its label text, condition, thresholds (the label's word or the site's reading,
each with its source), note and worked examples; every form field's definition as the form
shows it; every diagnosis code with its classifications and whether the label covers it. It is
the page a CAR-T physician reviews and signs off, so it is written in both languages at once,
side by side, rather than in one language of the catalogue: its headings are kept here.
`cart-screen rules basis` prints it; a test fails when the committed page differs.
"""

from __future__ import annotations

from collections.abc import Iterator

from cart_screen.evaluate import STATUS_OF_TRUTH, truth
from cart_screen.form import FIELDS
from cart_screen.i18n import M, Said
from cart_screen.render import describe
from cart_screen.result import Status
from cart_screen.ruleset import Condition, Leaf, Rule, Ruleset, leaves

SITE_READING = "site's reading"
"""How a basis marks a threshold that interprets the label rather than quoting it."""

_CATEGORY = {
    "indication": Said("Indication", "适应症"),
    "contraindication": Said("Contraindication", "禁忌"),
    "precaution": Said("Precaution", "注意事项"),
    "interaction": Said("Interaction", "药物相互作用"),
    "advisory": Said("Advisory (pivotal trials, not the label)", "参考（关键临床试验，非说明书）"),
}
_SEVERITY = {
    "exclusion": Said("exclusion", "排除"),
    "caution": Said("caution", "注意"),
    "advisory": Said("advisory", "参考"),
}


def both(said: Said) -> str:
    """English, then Chinese, as one line of the page."""
    return f"{said.en} / {said.zh}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def clinical_basis_markdown(ruleset: Ruleset) -> str:
    """The whole page, as Markdown."""
    return "\n".join(_page(ruleset)) + "\n"


def _page(ruleset: Ruleset) -> Iterator[str]:
    meta = ruleset.meta
    yield f"# Clinical basis of the {meta.product} pre-screening rules / {meta.product} 预筛查规则的临床依据"
    yield ""
    yield (
        "Generated from the rule files by `cart-screen rules basis` — do not edit by hand; edit the "
        "rule files and generate it again (a test fails when this page and the rules differ). / "
        "由 `cart-screen rules basis` 根据规则文件生成，请勿手工修改。"
    )
    yield ""
    yield f"- Ruleset / 规则集: `{meta.id}`, label revision / 说明书修订 {meta.label_revision}"
    yield f"- Files / 文件: {', '.join(f'`{p.name}`' for p in ruleset.files)}"
    yield f"- sha256: `{ruleset.sha256}`"
    checked = meta.basis_checked.isoformat() if meta.basis_checked else "—"
    yield f"- Sources checked / 依据核对日期: {checked}"
    yield f"- Source / 来源: {meta.source.en} / {meta.source.zh}"
    yield ""
    yield f"> {M.NOTICE('en')}"
    yield f"> {M.NOTICE('zh')}"
    yield ""
    yield "## How to read this page / 阅读说明"
    yield ""
    yield (
        "Each threshold says where it comes from: **label** — the words of the label itself; "
        "**site's reading** — this site's interpretation of a word the label leaves open "
        '("severe", the time windows), with its source. A site changes its readings in the rule '
        "files; every change changes the fingerprint above. / 每个阈值均注明来源：**说明书**——"
        "说明书原文；**本中心的解读**——本中心对说明书未明确之处（如“严重”、时间窗）的解读及其依据。"
    )
    if meta.reading_of_severe is not None:
        yield ""
        yield f"**Severe / 严重.** {meta.reading_of_severe.en}"
        yield ""
        yield meta.reading_of_severe.zh
    if meta.components:
        yield ""
        components = ", ".join(c.en for c in meta.components)
        components_zh = "、".join(c.zh for c in meta.components)
        yield (
            f"**Components / 成分** (unconfirmed for {meta.product} — check the package insert / "
            f"尚未确认，请核对说明书): {components} / {components_zh}"
        )
    yield ""
    yield "## Rules / 规则"
    for rule in ruleset.rules:
        yield from _rule(ruleset, rule)
    if ruleset.advisory_file is not None:
        yield from _advisory(ruleset)
    yield ""
    yield "## Field definitions / 字段定义"
    yield ""
    yield "| field | definition | 定义 | accepts |"
    yield "|---|---|---|---|"
    for name, spec in FIELDS.items():
        definition = f"**{spec.label.en}.** {spec.hint.en}"
        zh = f"**{spec.label.zh}。** {spec.hint.zh}"
        yield f"| `{name}` | {_cell(definition)} | {_cell(zh)} | {_cell(spec.allowed('en', ruleset.book))} |"
    yield ""
    yield from _vocabulary(ruleset)
    yield ""
    yield "## Sign-off / 审核签字"
    yield ""
    yield "Reviewed by (CAR-T physician) / 审核医师: ______________________  Date / 日期: ____________"
    yield ""


def _rule(ruleset: Ruleset, rule: Rule) -> Iterator[str]:
    yield ""
    yield f"### `{rule.id}` — {rule.title.en} / {rule.title.zh}"
    yield ""
    category, severity = _CATEGORY[rule.category], _SEVERITY[rule.severity]
    yield f"- {both(category)} · {both(severity)}"
    if rule.advisory:
        yield f"- Basis / 依据: {rule.label.en} / {rule.label.zh}"
        yield f"- Sources / 来源: {', '.join(rule.sources)}"
    else:
        yield f"- Label / 说明书: {rule.label.en} / {rule.label.zh}"
    condition_en = describe(rule.flag_when, ruleset.vocabulary, "en")
    condition_zh = describe(rule.flag_when, ruleset.vocabulary, "zh")
    yield f"- Flagged when / 提示条件: {condition_en} / {condition_zh}"
    yield f"- Needs / 需要: {', '.join(rule.required)}" + (
        f"; where recorded / 如有记录: {', '.join(rule.optional)}" if rule.optional else ""
    )
    for leaf in _with_basis(rule.flag_when):
        assert leaf.basis is not None
        kind = (
            "site's reading / 本中心的解读"
            if SITE_READING in leaf.basis.en
            else "pivotal trials / 关键临床试验"
            if rule.advisory
            else "label / 说明书"
        )
        yield f"- Threshold ({kind}): {leaf.basis.en} / {leaf.basis.zh}"
    if rule.note is not None:
        yield f"- Note / 备注: {rule.note.en} / {rule.note.zh}"
    if rule.examples:
        yield ""
        yield "| given / 给定 | status / 状态 |"
        yield "|---|---|"
        for example in rule.examples:
            given = ", ".join(f"{k} = {v}" for k, v in example.given.items()) or "(nothing / 无)"
            yield f"| {_cell(given)} | {example.status} |"


def _advisory(ruleset: Ruleset) -> Iterator[str]:
    """The advisory checks: what they are, the sources they cite, each check as a rule."""
    advisory = ruleset.advisory_file
    assert advisory is not None
    yield ""
    yield "## Advisory checks — not the label / 参考检查项——非说明书"
    yield ""
    yield advisory.about.en
    yield ""
    yield advisory.about.zh
    yield ""
    yield "Sources cited / 引用来源:"
    yield ""
    for name, citation in advisory.sources.items():
        yield f"- **{name}**: {citation.en} / {citation.zh}"
    for rule in ruleset.advisory:
        yield from _rule(ruleset, rule)


def _with_basis(condition: Condition) -> list[Leaf]:
    return [leaf for leaf in leaves(condition) if leaf.basis is not None]


def _vocabulary(ruleset: Ruleset) -> Iterator[str]:
    vocabulary = ruleset.vocabulary
    yield "## Diagnosis vocabulary / 诊断词表"
    yield ""
    yield f"{vocabulary.data.note.en} / {vocabulary.data.note.zh}"
    yield ""
    yield "| code | name / 名称 | WHO 2016 | WHO-HAEM5 | ICC 2022 | ICD-O-3 | on the label / 说明书范围 |"
    yield "|---|---|---|---|---|---|---|"
    for code, term in vocabulary.codes.items():
        covered = _subtype_status(ruleset, code)
        on_label = {
            "clear": "yes / 是",
            "flagged": "no: off-label, for the physician / 否：超说明书，由医师评估",
        }
        cells = [
            f"`{code}`",
            f"{term.name.en} / {term.name.zh}" + (f" — {term.note}" if term.note else ""),
            term.who_2016 or "",
            term.who_haem5 or "",
            term.icc_2022 or "",
            term.icd_o_3 or "",
            on_label.get(covered, covered),
        ]
        yield "| " + " | ".join(_cell(c) for c in cells) + " |"
    yield ""
    yield "Refused as ambiguous, with what to record / 因含义不明而不予接受，并说明应记录的内容:"
    yield ""
    for entry in vocabulary.data.ambiguous:
        yield f"- {', '.join(entry.terms)} — {entry.message.en} / {entry.message.zh}"


def _subtype_status(ruleset: Ruleset, code: str) -> Status:
    """What the rules using the diagnosis say of a code alone: flagged if any flags it."""
    statuses = [
        STATUS_OF_TRUTH[truth(rule.flag_when, {"diagnosis": code}, rule.required)]
        for rule in ruleset.rules
        if "diagnosis" in rule.required
    ]
    return "flagged" if "flagged" in statuses else "clear"
