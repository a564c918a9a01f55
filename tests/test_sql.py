"""`rules sql`: the query, schema and lookup table in every dialect of SPEC §10, as a data team
uses them; refusals with file:line. The engines' answers are compared in test_sql_engines.py."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp
from typer.testing import CliRunner

from cart_screen.cli import Dialect, app
from cart_screen.i18n import M
from cart_screen.ruleset import default_rules_path, default_ruleset, load_ruleset
from cart_screen.sql import (
    DIALECTS,
    OUTPUT_COLUMNS,
    SqlCompileError,
    TableNameError,
    schema_sql,
    screening_query,
    screening_sql,
    table_of,
    term_key,
    terms,
    terms_sql,
)
from cart_screen.values.text import match_key

RULESET = default_ruleset()
SPEC_DIALECTS = ["duckdb", "sqlite", "postgres", "spark", "trino", "mysql", "tsql", "bigquery", "snowflake"]  # fmt: skip


def test_every_dialect_of_the_spec_is_written_and_offered() -> None:
    assert set(SPEC_DIALECTS) <= set(DIALECTS)
    assert [dialect.value for dialect in Dialect] == list(DIALECTS)  # the CLI imports no sqlglot


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_query_parses_back_in_its_dialect_with_the_spec_columns(dialect: str) -> None:
    (tree,) = sqlglot.parse(screening_sql(RULESET, dialect, as_of=dt.date(2026, 11, 27)), dialect)
    assert isinstance(tree, exp.Select)
    assert tuple(tree.named_selects) == OUTPUT_COLUMNS
    said = {
        text.this
        for text in tree.find_all(exp.Literal, exp.National)
        if isinstance(text, exp.National) or text.is_string
    }
    for rule in RULESET.rules:
        assert rule.id in said
    assert RULESET.sha256 in said
    assert M.NOTICE("en") in said
    assert "2026-11-27" in said


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_schema_and_the_lookup_table_parse_back_in_their_dialect(dialect: str) -> None:
    (create,) = sqlglot.parse(schema_sql(dialect, table="lake.referrals"), dialect)
    assert isinstance(create, exp.Create)
    assert [c.name for c in create.this.expressions][:3] == [
        "patient_id",
        "screening_date",
        "date_of_birth",
    ]
    statements = sqlglot.parse(terms_sql(RULESET, dialect), dialect)
    assert isinstance(statements[0], exp.Create)
    assert all(isinstance(s, exp.Insert) for s in statements[1:])


def test_without_as_of_the_query_asks_the_engine_for_its_date() -> None:
    assert "CURRENT_DATE" in screening_sql(RULESET, "duckdb")
    assert "GETDATE()" in screening_sql(RULESET, "tsql")


def test_sql_server_gets_the_notice_as_national_text() -> None:
    query = screening_sql(RULESET, "tsql", language="zh")
    assert f"N'{M.NOTICE('zh')}'" in query


def test_each_rule_status_is_read_once_so_an_inlining_engine_computes_it_once() -> None:
    """DuckDB merges nested selects into one expression per output column: a status read in
    several places would be computed in each (issue 12: 2.2x the CPU). Read once, by its
    group's lookup key; the lists and outcome read only the lookups' constant pieces."""
    query = screening_query(RULESET, as_of=dt.date(2026, 11, 27))
    reads = Counter(
        column.name for column in query.find_all(exp.Column) if column.name.startswith("status_")
    )
    assert reads == {f"status_{n}": 1 for n in range(len(RULESET.rules))}
    joined = [join.this for join in query.args["joins"]]
    assert all(isinstance(table, exp.Values) for table in joined)
    assert sum(len(table.expressions) for table in joined) <= 3**4 * len(joined)


def test_a_table_name_is_read_as_the_dialect_reads_it() -> None:
    assert table_of("lake.cart.referrals", "spark").sql("spark") == "lake.cart.referrals"
    assert table_of("`my-project.dataset.referrals`", "bigquery").name == "referrals"
    for bad in ("", "a.b.c.d", "referrals WHERE 1=1", "x; DROP TABLE y", "(SELECT 1)"):
        with pytest.raises(TableNameError):
            table_of(bad, "duckdb")


def _ruleset_comparing_the_patient_id(tmp_path: Path) -> Path:
    folder = tmp_path / "r"
    shutil.copytree(default_rules_path(), folder)
    rules = folder / "ruleset.yaml"
    rules.write_text(
        rules.read_text("utf-8")
        + """  - id: interaction.named
    category: interaction
    title: {en: a patient named X, zh: 名为 X 的患者}
    label: {en: none, zh: 无}
    required: [patient_id]
    flag_when: {op: eq, field: patient_id, value: X}
""",
        "utf-8",
    )
    return folder


def test_a_rule_the_compiler_cannot_express_is_refused_with_its_file_and_line(
    tmp_path: Path, runner: CliRunner
) -> None:
    folder = _ruleset_comparing_the_patient_id(tmp_path)
    ruleset = load_ruleset(folder)
    lines = (folder / "ruleset.yaml").read_text("utf-8").splitlines()
    with pytest.raises(SqlCompileError) as refused:
        screening_sql(ruleset, "duckdb")
    (problem,) = refused.value.problems
    assert "field: patient_id" in lines[problem.line - 1]
    assert "cannot compare 'patient_id'" in problem.message
    run = runner.invoke(app, ["rules", "sql", "--dialect", "duckdb", "--rules", str(folder)])
    assert run.exit_code == 2
    assert f"{folder / 'ruleset.yaml'}:{problem.line}:" in run.output
    assert "Traceback" not in run.output


def test_the_lookup_table_maps_each_normalised_spelling_once() -> None:
    rows = list(terms(RULESET))
    keys = [(field, key) for field, key, _ in rows]
    assert len(keys) == len(set(keys))
    found = {(field, key): value for field, key, value in rows}
    assert found[("diagnosis", match_key("DLBCL, GCB type"))] == "DLBCL_NOS"
    assert found[("diagnosis", match_key("弥漫大B细胞淋巴瘤非特指型"))] == "DLBCL_NOS"
    assert found[("disease_status", match_key("复发难治"))] == "relapsed_or_refractory"
    assert found[("nyha_class", match_key("3"))] == "III"
    assert found[("icu_available", match_key("是"))] == "true"
    assert ("diagnosis", match_key("DLBCL")) not in found  # an umbrella term: never a guess
    assert ("disease_status", match_key("PR")) not in found  # ambiguous: refused, not mapped
    # a text with a sign, a stray mark or a question mark has no key: it stays unknown
    assert term_key("diagnosis", "DLBCL, GCB type") == match_key("DLBCL, GCB type")
    for field, text in [
        ("nyha_class", "NYHA ＞II"),
        ("nyha_class", "III*"),
        ("nyha_class", "III?"),
        ("child_pugh_class", "Child-Pugh ＞B"),
        ("icu_available", "✓"),
        ("diagnosis", "↑DLBCL NOS"),
    ]:
        assert term_key(field, text) is None, text


def test_rules_sql_screens_a_table_made_from_its_own_schema(runner: CliRunner) -> None:
    schema = runner.invoke(app, ["rules", "sql", "--schema", "--dialect", "duckdb"])
    query = runner.invoke(
        app, ["rules", "sql", "--dialect", "duckdb", "--as-of", "2026-11-27", "--lang", "zh"]
    )
    assert schema.exit_code == query.exit_code == 0
    database = duckdb.connect()
    database.execute(schema.output)
    database.execute(
        "INSERT INTO referrals (patient_id, date_of_birth, diagnosis, lvef_percent, nyha_class) "
        "VALUES ('R-1', DATE '2008-11-28', 'DLBCL_NOS', 55, NULL), (NULL, NULL, NULL, NULL, NULL)"
    )
    found = database.execute(query.output).fetchall()
    assert [row[:3] for row in found] == [
        ("R-1", "flagged", "indication.adult"),
        (None, "error", ""),
    ]
    assert {row[4:] for row in found} == {(RULESET.sha256, M.NOTICE("zh"))}
    needs = found[0][3].split(" ")
    assert needs == [r.id for r in RULESET.rules if r.id in needs]  # ruleset order
    assert "precaution.cardiac" not in needs  # LVEF 55 with no NYHA is clear


def test_rules_sql_writes_a_file_and_says_so(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "screen.sql"
    run = runner.invoke(app, ["rules", "sql", "--dialect", "spark", "-o", str(out)])
    assert run.exit_code == 0
    assert str(out) in run.output
    assert out.read_text("utf-8") == screening_sql(RULESET, "spark")


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--dialect", "duckdb", "--schema", "--vocabulary"], "give one of them"),
        (["--dialect", "duckdb", "--table", "x; DROP TABLE y"], "is not a table name in duckdb"),
        (["--dialect", "oracle"], "--dialect"),
        ([], "--dialect"),
    ],
)
def test_rules_sql_refuses_bad_arguments_in_one_message(
    runner: CliRunner, arguments: list[str], said: str
) -> None:
    run = runner.invoke(app, ["rules", "sql", *arguments])
    assert run.exit_code == 2
    assert said in run.output
    assert "Traceback" not in run.output


def test_sqlite_which_stores_any_value_in_any_column_reads_only_real_dates_and_whole_numbers() -> (
    None
):
    import sqlite3

    from cart_screen import screen
    from cart_screen.form import FIELDS
    from cart_screen.sql import schema_sql, screening_sql

    as_of = dt.date(2026, 11, 30)
    rows: list[dict[str, object]] = [
        {"patient_id": "bad-date", "date_of_birth": "1960-02-30"},  # no such day
        {"patient_id": "day-31", "date_of_birth": "2008-11-31"},  # SQLite would read 1 Dec
        {"patient_id": "part-line", "date_of_birth": "1960-01-01", "prior_systemic_lines": 2.5},
        {"patient_id": "part-age", "age_years": 17.9},
        {"patient_id": "age-126", "date_of_birth": "1900-02-28"},  # outside 0–120: missing
        {"patient_id": "age-126-stated", "date_of_birth": "1900-02-28", "age_years": 30},
        {"patient_id": "good", "date_of_birth": "1960-01-01", "prior_systemic_lines": 2},
    ]
    with sqlite3.connect(":memory:") as connection:
        connection.execute(schema_sql("sqlite").rstrip().rstrip(";"))
        names = ", ".join(FIELDS)
        marks = ", ".join("?" * len(FIELDS))
        connection.executemany(
            f"INSERT INTO referrals ({names}) VALUES ({marks})",
            [tuple(row.get(name) for name in FIELDS) for row in rows],
        )
        query = screening_sql(default_ruleset(), "sqlite", as_of=as_of).rstrip().rstrip(";")
        got = {
            pid: (outcome, needs.split())
            for pid, outcome, _, needs, *_ in connection.execute(query)
        }
    for row in rows:
        expected = screen({k: str(v) for k, v in row.items()}, as_of=as_of)
        outcome, needs = got[row["patient_id"]]
        assert outcome == expected.outcome, row
        assert needs == [i.rule_id for i in expected.with_status("needs_info")], row
