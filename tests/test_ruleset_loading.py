"""Each kind of malformed rule file is refused at load with its file:line:col and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cart_screen.examples import check_examples
from cart_screen.ruleset import RulesetError, default_rules_path, load_ruleset, sha256_of_files

HICARA = default_rules_path()

RULE = """\
id: test
product: TEST
label_revision: 2025-07-30
source: {{en: test label, zh: 测试说明书}}
vocabulary: vocabulary.yaml
rules:
  - id: precaution.cardiac
    category: precaution
    title: {{en: t, zh: t}}
    label: {{en: l, zh: l}}
    required: [lvef_percent]
    optional: [nyha_class]
    flag_when:
{condition}
"""

GOOD = """\
      op: any
      of:
        - {op: lt, field: lvef_percent, value: 40}
        - {op: in, field: nyha_class, values: [III, IV]}"""


def write_ruleset(tmp_path: Path, text: str) -> Path:
    shutil.copy(HICARA / "vocabulary.yaml", tmp_path / "vocabulary.yaml")
    shutil.copy(HICARA / "values.yaml", tmp_path / "values.yaml")
    (tmp_path / "ruleset.yaml").write_text(text, "utf-8")
    return tmp_path


def refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(RulesetError) as caught:
        load_ruleset(write_ruleset(tmp_path, text))
    return str(caught.value)


def test_the_shipped_hicara_ruleset_loads_with_the_twelve_spec_rule_ids() -> None:
    ruleset = load_ruleset(HICARA)
    assert [rule.id for rule in ruleset.rules] == [
        "indication.adult",
        "indication.subtype",
        "indication.relapsed_refractory",
        "indication.prior_lines",
        "contraindication.hypersensitivity",
        "contraindication.uncontrolled_infection",
        "precaution.cardiac",
        "precaution.hepatic",
        "precaution.icu_facility",
        "interaction.immunosuppressants",
        "interaction.live_vaccines",
        "interaction.anticancer_therapy",
    ]
    assert ruleset.id == "hicara-lbcl"
    assert ruleset.meta.label_revision.isoformat() == "2025-07-30"
    assert [c.en for c in ruleset.meta.components] == [
        "DMSO (dimethyl sulfoxide)",
        "dextran 40",
        "human albumin",
    ]


def test_a_minimal_good_ruleset_loads(tmp_path: Path) -> None:
    ruleset = load_ruleset(write_ruleset(tmp_path, RULE.format(condition=GOOD)))
    assert [r.severity for r in ruleset.rules] == ["caution"]


@pytest.mark.parametrize(
    ("condition", "where", "message"),
    [
        pytest.param(
            "      {op: lt, field: lvef, value: 40}",
            ":14:",
            "unknown field 'lvef'",
            id="unknown-field",
        ),
        pytest.param(
            "      {op: lt, field: lvef_percent, value: forty}",
            ":14:",
            "expected a number, not 'forty'",
            id="number-threshold-not-a-number",
        ),
        pytest.param(
            "      {op: lt, field: lvef_percent, value: '40'}",
            ":14:",
            "expected a number, not '40'",
            id="number-threshold-as-text",
        ),
        pytest.param(
            "      {op: lt, field: lvef_percent, value: 140}\n"
            "      # optional nyha_class is then unused",
            ":14:",
            "does not fit lvef_percent: 140 is outside the plausible range",
            id="threshold-out-of-range",
        ),
        pytest.param(
            "      {op: below, field: lvef_percent, value: 40}",
            ":14:",
            "unknown op 'below'; one of: lt, le, gt, ge, eq, ne, in, not_in, any, all, not",
            id="unknown-operator",
        ),
        pytest.param(
            "      {field: lvef_percent, value: 40}",
            ":13:",
            "missing key 'op'",
            id="missing-operator",
        ),
        pytest.param(
            "      op: any\n      of:\n        - {op: lt, field: lvef_percent, value: 40}\n"
            "        - {op: gt, field: nyha_class, value: 2}",
            ":17:",
            "gt compares numbers, but nyha_class is choice",
            id="numeric-comparison-on-a-choice",
        ),
        pytest.param(
            "      op: any\n      of:\n        - {op: lt, field: lvef_percent, value: 40}\n"
            "        - {op: in, field: nyha_class, values: [III, V]}",
            ":17:",
            "'V' does not fit nyha_class",
            id="value-not-in-choices",
        ),
        pytest.param(
            "      op: any\n      of:\n        - {op: lt, field: lvef_percent, value: 40}\n"
            "        - {op: in, field: nyha_class, values: [3, 4]}",
            ":17:",
            "write 3 as 'III'",
            id="value-not-canonical",
        ),
        pytest.param(
            "      op: any\n      of:\n        - {op: lt, field: lvef_percent, value: 40}\n"
            "        - {op: eq, field: date_of_birth, value: '2000-01-01'}",
            ":17:",
            "date_of_birth is a date, which a rule cannot compare (use a derived fact such as age)",
            id="comparison-with-a-date",
        ),
        pytest.param(
            "      op: any\n      of:\n        - {op: lt, field: lvef_percent, value: 40, unit: '%'}\n"
            "        - {op: in, field: nyha_class, values: [III]}",
            ":16:",
            "unknown key 'unit'; allowed: op, field, value, basis",
            id="unknown-key-in-condition",
        ),
        pytest.param(
            "      op: any\n      of:\n        - {op: lt, field: lvef_percent, value: 40}\n"
            "        - {op: eq, field: icu_available, value: false}",
            ":17:",
            "'icu_available' is used here but listed in neither required nor optional",
            id="field-not-listed",
        ),
        pytest.param(
            "      {op: lt, field: lvef_percent, value: 40}",
            ":12:",
            "'nyha_class' is listed but flag_when never uses it",
            id="listed-field-unused",
        ),
    ],
)
def test_a_malformed_condition_is_refused_with_its_location(
    tmp_path: Path, condition: str, where: str, message: str
) -> None:
    text = refusal(tmp_path, RULE.format(condition=condition))
    assert str(tmp_path / "ruleset.yaml") + where in text
    assert message in text
    assert ": error: " in text


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        pytest.param(
            ("category: precaution", "category: warning"),
            ":8:",
            "Input should be",
            id="unknown-category",
        ),
        pytest.param(
            ("category: precaution", "category: interaction"),
            ":8:",
            "does not match rule id",
            id="category-not-matching-id",
        ),
        pytest.param(
            ("    title: {en: t, zh: t}\n", ""), ":7:", "missing key 'title'", id="missing-title"
        ),
        pytest.param(
            ("{en: t, zh: t}", "{en: t}"), ":9:", "missing key 'zh'", id="missing-translation"
        ),
        pytest.param(
            ("product: TEST", "product: TEST\nproduct: OTHER"),
            ":3:",
            "key 'product' is given twice",
            id="duplicate-key",
        ),
        pytest.param(
            ("required: [lvef_percent]", "required: [lvef_percent"),
            ":12:",
            "not valid YAML",
            id="yaml-syntax",
        ),
        pytest.param(
            ("vocabulary: vocabulary.yaml", "vocabulary: nope.yaml"),
            ":5:",
            "no vocabulary file",
            id="missing-vocabulary",
        ),
        pytest.param(
            ("id: test\n", "id: test\ncolour: blue\n"),
            ":2:",
            "unknown key 'colour'",
            id="unknown-top-level-key",
        ),
    ],
)
def test_a_malformed_rule_file_is_refused_with_its_location(
    tmp_path: Path, edit: tuple[str, str], where: str, message: str
) -> None:
    text = refusal(tmp_path, RULE.format(condition=GOOD).replace(*edit, 1))
    assert str(tmp_path / "ruleset.yaml") + where in text, text
    assert message in text


def test_a_rule_id_used_twice_is_refused(tmp_path: Path) -> None:
    text = RULE.format(condition=GOOD)
    rule = text[text.index("  - id:") :]
    assert "is used twice" in refusal(tmp_path, text + rule)


def test_a_vocabulary_term_naming_two_codes_is_refused_with_its_location(tmp_path: Path) -> None:
    write_ruleset(tmp_path, RULE.format(condition=GOOD))
    vocabulary = tmp_path / "vocabulary.yaml"
    text = vocabulary.read_text("utf-8").replace("      - PMBL\n", "      - PMBL\n      - tFL\n")
    vocabulary.write_text(text, "utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(tmp_path)
    assert "vocabulary.yaml:" in str(caught.value)
    assert "'tFL' of PMBCL already names TFL" in str(caught.value)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert "the file is empty" in refusal(tmp_path, "")


def test_the_fingerprint_is_sha256sum_of_sha256sum(tmp_path: Path) -> None:
    import hashlib

    ruleset = load_ruleset(HICARA)
    lines = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
        # SPEC §11: the fingerprint covers the advisory file too
        for p in (
            HICARA / f for f in ("ruleset.yaml", "vocabulary.yaml", "values.yaml", "advisory.yaml")
        )
    )
    assert ruleset.sha256 == hashlib.sha256(lines.encode()).hexdigest()
    assert sha256_of_files(ruleset.files) == ruleset.sha256


def test_every_shipped_rule_carries_worked_examples_and_they_hold() -> None:
    ruleset = check_examples(load_ruleset(HICARA))
    for rule in ruleset.rules:
        statuses = {example.status for example in rule.examples}
        assert statuses == {"flagged", "clear", "needs_info"}, rule.id


def test_a_threshold_edited_without_its_examples_is_reported_where_the_example_stands(
    tmp_path: Path,
) -> None:
    shutil.copytree(HICARA, tmp_path / "r")
    rules = tmp_path / "r" / "ruleset.yaml"
    text = rules.read_text("utf-8").replace(
        "field: lvef_percent\n          value: 40", "field: lvef_percent\n          value: 45"
    )
    rules.write_text(text, "utf-8")
    load_ruleset(tmp_path / "r")  # screening still loads it: examples are for `rules validate`
    with pytest.raises(RulesetError) as caught:
        check_examples(load_ruleset(tmp_path / "r"))
    (problem,) = caught.value.problems
    assert "example 2 of precaution.cardiac: expected clear, got flagged" in problem.message
    assert text.splitlines()[problem.line - 1].strip().startswith("- {given: {lvef_percent: 40")


@pytest.mark.parametrize(
    ("example", "says"),
    [
        ("{given: {lvef: 40}, status: clear}", "example gives 'lvef', which precaution.cardiac"),
        ("{given: {lvef_percent: forty}, status: clear}", "'forty' does not fit lvef_percent"),
        ("{given: {lvef_percent: 40}, status: fine}", "Input should be"),
    ],
)
def test_a_malformed_example_is_refused(tmp_path: Path, example: str, says: str) -> None:
    text = RULE.format(condition=GOOD) + f"    examples:\n      - {example}\n"
    assert says in refusal(tmp_path, text)


def test_a_values_file_spelling_naming_two_values_is_refused_with_its_location(
    tmp_path: Path,
) -> None:
    write_ruleset(tmp_path, RULE.format(condition=GOOD))
    values = tmp_path / "values.yaml"
    text = values.read_text("utf-8").replace('      I: [I, "1"]', '      I: [I, "1", III级]')
    values.write_text(text, "utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(tmp_path)
    assert "values.yaml:" in str(caught.value)
    assert "values.yaml:111:19: error: 'III级' of I names III once its affix is taken off" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "      relapsed: [relapsed,",
            "      relapsing: [relapsed,",
            "'relapsing' is not a value of disease_status",
            id="unknown-choice",
        ),
        pytest.param(
            "  lvef_percent:\n", "  lvef_pct:\n", "unknown field 'lvef_pct'", id="unknown-field"
        ),
        pytest.param(
            "    analyte: ast\n",
            "    analyte: gamma_gt\n",
            "unknown analyte 'gamma_gt'",
            id="unknown-analyte",
        ),
        pytest.param(
            '  "yes": ["yes", y,',
            '  "yes": [yes, y,',
            "YAML reads a bare yes or no as true or false",
            id="bare-yes",
        ),
        pytest.param(
            "    prefixes: [NYHA class,",
            "    prefixes: [III, NYHA class,",
            "'III' is also a value",
            id="prefix-is-a-value",
        ),
        pytest.param(
            '  ranges: ["~"]',
            '  ranges: ["#"]',
            "'#' must also be a bound (before one value)",
            id="range-sign-not-a-bound",
        ),
        pytest.param(
            '  punctuation: ["-",',
            '  punctuation: ["＞", "-",',
            "'＞' is a comparison sign: it cannot be punctuation",
            id="sign-as-punctuation",
        ),
        pytest.param(
            '  punctuation: ["-",',
            '  punctuation: ["--", "-",',
            "'--' is not one mark",
            id="punctuation-not-one-mark",
        ),
    ],
)
def test_a_malformed_values_file_is_refused_with_its_location(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    write_ruleset(tmp_path, RULE.format(condition=GOOD))
    values = tmp_path / "values.yaml"
    text = values.read_text("utf-8")
    assert old in text
    values.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(tmp_path)
    assert f"{values}:" in str(caught.value)
    assert message in str(caught.value)


# ---------------------------------------------------------------- hostile data files (issue 14, 7)

LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
"""Nine lines that expand to 9⁹ (387 million) strings: a billion laughs."""


@pytest.mark.parametrize("name", ["ruleset.yaml", "vocabulary.yaml", "values.yaml"])
def test_anchors_and_aliases_are_refused_at_once_with_their_location(
    tmp_path: Path, name: str
) -> None:
    write_ruleset(tmp_path, RULE.format(condition=GOOD))
    path = tmp_path / name
    path.write_text(path.read_text("utf-8") + LAUGHS, "utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(tmp_path)
    line = len(path.read_text("utf-8").splitlines()) - 8  # the first line of LAUGHS
    assert str(caught.value) == (
        f"{path}:{line}:4: error: anchors and aliases (&, *) are not allowed in rule files"
    )


def test_an_alias_alone_is_refused_too(tmp_path: Path) -> None:
    text = RULE.format(condition=GOOD).replace("optional: [nyha_class]", "optional: *x")
    assert "ruleset.yaml:12:15: error: anchors and aliases" in refusal(tmp_path, text)


def test_a_site_file_with_anchors_is_refused(tmp_path: Path) -> None:
    from cart_screen.site import load_site

    site = tmp_path / "site.yaml"
    site.write_text("name: &n Ward 7\nicu_available: *n\n", "utf-8")
    with pytest.raises(RulesetError) as caught:
        load_site(site, load_ruleset(HICARA).book)
    assert str(caught.value) == (
        f"{site}:1:7: error: anchors and aliases (&, *) are not allowed in site files"
    )


def test_a_data_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    from cart_screen.datafile import DATA_FILE_LIMIT

    text = RULE.format(condition=GOOD) + "# padding\n" * (DATA_FILE_LIMIT // 10 + 1)
    assert refusal(tmp_path, text) == (
        f"{tmp_path / 'ruleset.yaml'}:1:1: error: larger than 4 MB; a data file this large "
        "is not one of ours"
    )


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ('"\\e]0;pwn\\a"', "\\x1b"),  # an escape sequence: retitles a terminal
        ('"R\\u202eabc"', "\\u202e"),  # a bidi override: reorders what is read
        ('"a\\x00b"', "\\x00"),
    ],
)
def test_a_control_character_in_a_rule_text_is_refused_with_its_location(
    tmp_path: Path, written: str, shown: str
) -> None:
    text = RULE.format(condition=GOOD).replace(
        "title: {en: t, zh: t}", f"title: {{en: {written}, zh: t}}"
    )
    assert refusal(tmp_path, text) == (
        f"{tmp_path / 'ruleset.yaml'}:9:17: error: control character {shown} is not allowed "
        "in rule files"
    )


def test_a_billion_laughs_rule_file_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    write_ruleset(tmp_path, RULE.format(condition=GOOD))
    (tmp_path / "ruleset.yaml").write_text(RULE.format(condition=GOOD) + LAUGHS, "utf-8")

    def one_gigabyte() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    run = subprocess.run(
        [sys.executable, "-m", "cart_screen", "rules", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=one_gigabyte,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "anchors and aliases (&, *) are not allowed in rule files" in run.stderr
    assert "Traceback" not in run.stderr
