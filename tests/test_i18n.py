"""Every user-facing text in English and Simplified Chinese; a missing translation fails CI."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.datafile import Text
from cart_screen.form import DERIVED, FIELDS
from cart_screen.i18n import CHOICE_NAMES, M, messages
from cart_screen.render import _table, width
from cart_screen.ruleset import default_ruleset
from cart_screen.wizard import GROUPS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULESET = default_ruleset()


@pytest.mark.parametrize(("name", "message"), sorted(messages().items()))
def test_every_catalogue_message_has_both_languages_with_the_same_placeholders(
    name: str, message: object
) -> None:
    assert message is not None
    en, zh = message.en, message.zh  # type: ignore[attr-defined]
    assert en.strip()
    assert zh.strip()
    assert message.placeholders("en") == message.placeholders("zh")  # type: ignore[attr-defined]
    assert not re.search(r"\beligible\b", en, re.IGNORECASE)


def test_every_field_group_and_choice_reads_in_both_languages() -> None:
    for spec in [*FIELDS.values(), *(spec for spec, _ in DERIVED.values())]:
        assert spec.label.en
        assert spec.label.zh
        assert spec.hint.en
        assert spec.hint.zh
        assert spec.allowed("en") != spec.allowed("zh")
    for group in GROUPS.values():
        assert group.en != group.zh
    for said in CHOICE_NAMES.values():
        assert said.en != said.zh


def _texts(value: object) -> list[Text]:
    if isinstance(value, Text):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, BaseModel):
        return [t for name in type(value).model_fields for t in _texts(getattr(value, name))]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    return []


def test_every_rule_and_vocabulary_text_has_both_languages() -> None:
    texts = _texts(RULESET.meta) + _texts(RULESET.vocabulary.data)
    assert len(texts) > 60
    for text in texts:
        assert text.en.strip()
        assert text.zh.strip()
        assert "  " not in text.zh  # a folded YAML line would leave a space inside Chinese


def _english_sentences() -> list[str]:
    """English texts of three or more words that a Chinese screen must never show."""
    candidates = [m.en for m in messages().values()]
    candidates += [t.en for t in _texts(RULESET.meta)]
    candidates += [s.hint.en for s in FIELDS.values()]
    return [c for c in candidates if len(c.split()) >= 3 and "{" not in c]


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(EXAMPLES / "patient-flagged.yaml")],
        ["check", str(EXAMPLES / "patient-no-flags.yaml")],
        ["rules", "show"],
    ],
)
def test_chinese_output_holds_no_english_sentence(runner: CliRunner, args: list[str]) -> None:
    run = runner.invoke(app, [*args, "--lang", "zh"])
    assert run.exit_code == 0
    for sentence in _english_sentences():
        assert sentence not in run.output, sentence
    assert M.NOTICE("zh") in run.output


def test_check_json_keeps_keys_and_ids_and_says_its_language(runner: CliRunner) -> None:
    import json

    form = str(EXAMPLES / "patient-flagged.yaml")
    en = json.loads(runner.invoke(app, ["check", form, "--json", "--lang", "en"]).output)
    zh = json.loads(runner.invoke(app, ["check", form, "--json", "--lang", "zh"]).output)
    assert (en["language"], zh["language"]) == ("en", "zh")
    assert list(en) == list(zh)
    for mine, theirs in zip(en["items"], zh["items"], strict=True):
        for key in ("rule_id", "category", "severity", "status"):
            assert mine[key] == theirs[key]
        assert mine["title"] != theirs["title"]
    assert zh["notice"] == M.NOTICE("zh")


def test_the_language_comes_from_the_locale_when_not_given(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    run = runner.invoke(app, ["check", str(EXAMPLES / "patient-flagged.yaml")])
    assert M.NOTICE("zh") in run.output
    assert "--lang" in runner.invoke(app, ["check", "--help"]).output


def test_the_batch_summary_and_rows_in_chinese(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    listed = tmp_path / "referrals.csv"
    text = (EXAMPLES / "referrals.csv").read_text("utf-8").replace(",two,", ',"R-CHOP, R-ICE",')
    listed.write_text(text, "utf-8")
    args = ["batch", str(listed), "-o", str(out), "--lang", "zh"]
    run = runner.invoke(app, args)
    assert run.exit_code == 0
    assert "全部记录" in run.output
    assert "有提示（flagged）" in run.output
    text = out.read_text("utf-8")
    assert "这是方案列表而非线数" in text  # EX-105's error, in Chinese
    assert M.NOTICE("zh") in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["outcome"] for r in rows] == [
        "no_flags",
        "flagged",
        "flagged",
        "needs_info",
        "needs_info",
    ]
    assert rows[2]["flagged"].split(";")[0] == "contraindication.uncontrolled_infection"


def test_terminal_tables_align_with_wide_characters() -> None:
    lines = _table([["结果", "记录数"], ["有提示（flagged）", "2"], ["all records", "5"]])
    assert len({width(line) for line in lines}) == 1
    assert width("有提示") == 6


def test_chinese_choices_and_yes_no_are_read_as_the_chinese_form_shows_them() -> None:
    read = RULESET.reader.read(
        {
            "patient_id": "Z",
            "disease_status": "难治",
            "active_infection": "未控制",
            "icu_available": "否",
        }
    )
    assert read.facts["disease_status"] == "refractory"
    assert read.facts["active_infection"] == "uncontrolled"
    assert read.facts["icu_available"] is False


def test_the_form_schema_in_chinese(runner: CliRunner) -> None:
    import json

    schema = json.loads(runner.invoke(app, ["schema", "--lang", "zh"]).output)
    assert schema["properties"]["lvef_percent"]["title"] == "LVEF（左心室射血分数）"
    assert "可填写" in schema["properties"]["nyha_class"]["description"]


def test_no_error_text_holds_the_errors_column_separator() -> None:
    """OUT.csv joins errors with "; " (SPEC §5): a message holding it would split in two."""
    from cart_screen.i18n import FIELD_ERROR_MESSAGES

    catalogue = messages()
    for name in FIELD_ERROR_MESSAGES:
        assert "; " not in catalogue[name].en, name
    for entry in RULESET.vocabulary.data.ambiguous:
        assert "; " not in entry.message.en
