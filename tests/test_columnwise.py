"""The column-wise path writes exactly the rows and counts the record-by-record path writes.

`columnwise.ColumnPlan` is the batch fast path; `batch.screen_records` is the reference that
`check`, `--jsonl` and every record that is not plain go through. These tests hold the two to the
same output on generated lists: every field, in any order, with blanks, junk, aliases, Chinese,
ragged records, blank ids and ids a spreadsheet would run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_screen import evaluate
from cart_screen.batch import column_plan, forms_as_read, screen_chunk
from cart_screen.columnwise import ColumnPlan
from cart_screen.csv_list import read_chunks
from cart_screen.evaluate import judge_for
from cart_screen.form import FIELDS
from cart_screen.i18n import Language
from cart_screen.list_records import Chunk, Columns, Job, map_columns
from cart_screen.ruleset import Ruleset, default_ruleset
from cart_screen.site import NO_SITE, Site
from cart_screen.values.labs import Quantity

VALUES: dict[str, list[str]] = {
    "patient_id": ["R-1", "R-2", " R-3 ", "", "=HYPERLINK()", "a,b", 'say "x"', "两行\n编号", "-7"],
    "screening_date": ["2026-10-15", "", "2026/10/15", "2027-01-01", "2026-02-30"],
    "date_of_birth": [
        *("1960-05-01", "2008-10-16", "2008-10-15", "2030-01-01", "", "abc"),
        "1900-02-28",  # an age of 126: implausible, counted as missing
    ],
    "age_years": ["", "17", "18", "66", "200", "x"],
    "diagnosis": [
        "DLBCL_NOS",
        "tFL",
        "PMBCL",
        "DLBCL",
        "弥漫性大B细胞淋巴瘤，非特指型",
        "",
        "?",
        "DLBCL, GCB type",
        "DLBLC NOS",
        "double hit",
    ],
    "disease_status": ["relapsed", "Refractory", "remission", "复发", "", "n/a", "r/r", "PR"],
    "prior_systemic_lines": [
        *("0", "1", "2", "3", "2.5", "-1", "", "三线", "R-CHOP, R-ICE"),
        *("‹两线", "≦二", "#3"),  # a bound, a stray mark: refused both ways
    ],
    "active_infection": ["none", "controlled", "uncontrolled", "", "maybe", "未控制"],
    "lvef_percent": [
        *("39.9", "40", "55 %", "", "abc", "101", "nan", "LVEF 35%", "0.55"),
        *("39.99999999999", "39.9999999999999999999"),  # shown apart from 40; too many digits
    ],
    "nyha_class": [
        *("I", "II", "III", "4", "", "V", "心功能III级", "II-III"),
        *("＞II", "心功能＞II级", "III*", "ⅡⅠ"),
    ],
    "total_bilirubin_x_uln": [
        "3",
        "3.01",
        "0.5",
        "",
        "-1",
        "inf",
        "68 µmol/L",
        "68 µmol/L (ULN 21)",
    ],
    # with a byte that did not decode, quotes, a backslash, a control character: reasons quote
    # them, escaped as JSON text
    "ast_x_uln": ["5", "5.1", "", "x", "180 U/L", "3.2倍正常上限", "4\udcff", '"5"'],
    "alt_x_uln": ["5", "5.1", "", "1_0", "260 IU/L", "5\\1", "\x01"],
    "child_pugh_class": ["A", "B", "c", "", "D", "8分", "Child-Pugh 10", "Child-Pugh ＞B", "C*"],
    "hypersensitivity_to_components": ["yes", "no", "是", "否", "", "maybe"],
    "on_immunosuppressants": ["Y", "n", "true", "0", ""],
    "recent_live_vaccine": ["1", "FALSE", "", "?"],
    "other_anticancer_therapy": ["yes", "no", ""],
    "icu_available": ["yes", "no", "", "  ", "unknown"],
    # advisory (not the label): the same two paths must give the same advisory columns
    "ecog_ps": ["0", "1", "2", "3", "ECOG 4", "", "2-3", "6"],
    "prior_cd19_therapy": ["yes", "no", "", "maybe"],
    "cns_involvement": ["none", "history", "active", "活动性", "", "yes"],
    "hbsag": ["positive", "negative", "阳性", "", "weak"],
    "anti_hbc": ["neg", "pos", ""],
    "hbv_dna": ["undetectable", "detected", "", "< 20 IU/mL"],
    "hcv_rna": ["negative", "positive", ""],
    "hiv": ["negative", "阴性", "", "positive"],
    "prior_allo_hsct": ["no", "yes", ""],
    "allo_hsct_days": ["99", "100", "", "x"],
    "active_gvhd": ["no", "yes", ""],
    "gvhd_immunosuppression": ["no", "yes", ""],
    "anc_x10e9_l": ["0.9", "1.0", "1200", "20", "", "900/µL"],
    "alc_x10e9_l": ["0.09", "0.1", "80/mm³", "", "5"],
    "platelets_x10e9_l": ["20", "20,000/µL", "50", "", "1200"],
    "hemoglobin_g_l": ["79", "80", "7.5", "7.5 g/dL", "25", ""],
    "crcl_ml_min": ["29", "30", "59", "60", "", "45 mL/min"],
    "spo2_percent": ["91", "92", "0.95", "", "SpO2 97%"],
    "prior_anti_cd20": ["yes", "no", ""],
    "prior_anthracycline": ["yes", "no", ""],
    "relapse_biopsy_confirmed": ["yes", "no", ""],
    "measurable_disease": ["yes", "no", ""],
}
assert set(VALUES) == set(FIELDS)


@st.composite
def lists_of_referrals(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header (some fields, any order, maybe an extra column) and records for it."""
    others = draw(st.lists(st.sampled_from(sorted(set(FIELDS) - {"patient_id"})), unique=True))
    header = draw(st.permutations(["patient_id", *others, *draw(st.sampled_from([[], ["notes"]]))]))
    records = []
    for _ in range(draw(st.integers(0, 30))):
        cells = [draw(st.sampled_from(VALUES.get(name, ["", "free text, too"]))) for name in header]
        if draw(st.integers(0, 20)) == 0:
            cells = cells[: draw(st.integers(0, len(cells)))] or ["only one"]  # ragged
        records.append(cells)
    return header, records


def both_paths(
    header: list[str],
    records: list[list[str]],
    *,
    ruleset: Ruleset | None = None,
    site: Site = NO_SITE,
    language: Language = "en",
    chunk_size: int = 7,
) -> tuple[Any, Any]:
    """Screen the same list column-wise and record by record: (rows, counts) of each."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *records])
    outputs = []
    for column_wise in (True, False):
        stream = io.StringIO(buffer.getvalue(), newline="")
        read_header, chunks = read_chunks(stream, "utf-8", size=chunk_size)
        columns = map_columns(read_header, {})
        job = Job(
            ruleset or default_ruleset(),
            columns,
            dt.date(2026, 10, 15),
            False,
            language,
            site,
        )
        plan = ColumnPlan(job) if column_wise else None
        rows: list[str] = []
        outcomes: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        needs: Counter[str] = Counter()
        ids: Counter[str] = Counter()
        advised: Counter[str] = Counter()
        unread = 0
        for chunk in chunks:
            out = screen_chunk(job, chunk, plan)
            rows.append(out.rows(chunk.first))
            outcomes.update(out.tally.outcomes)
            flagged.update(out.tally.flagged)
            needs.update(out.tally.needs_info)
            ids.update(out.tally.patient_ids)
            advised.update(out.tally.advised)
            unread += out.tally.unread
        # a count of 0 and no count are the same
        counts = [+outcomes, +flagged, +needs, ids, +advised, Counter(unread=unread)]
        outputs.append(("".join(rows), counts))
    return outputs[0], outputs[1]


generated_lists = given(
    lists_of_referrals(),
    st.sampled_from(["en", "zh"]),
    st.sampled_from(
        [
            NO_SITE,
            Site({"icu_available": True}),
            Site({"icu_available": False}, {"total_bilirubin": Quantity(20.5, "µmol/L")}),
            Site({}, {"ast": Quantity(40, "U/L"), "alt": Quantity(50, "U/L")}),
            Site(advisory=False),  # advisory: off — the advisory columns empty both ways
        ]
    ),
    st.integers(1, 9),
)
"""A generated list, a language, site settings and a chunk size."""


@settings(max_examples=200, deadline=None)
@generated_lists
def test_column_wise_rows_and_counts_are_the_record_by_record_ones(
    generated: tuple[list[str], list[list[str]]], language: Language, site: Any, chunk_size: int
) -> None:
    header, records = generated
    fast, reference = both_paths(
        header, records, site=site, language=language, chunk_size=chunk_size
    )
    assert fast == reference


def test_a_realistic_list_gives_the_same_rows_both_ways(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from make_referrals import write

    text = write(tmp_path / "in.csv", 3000).read_text(encoding="utf-8")
    header, *records = list(csv.reader(io.StringIO(text, newline="")))
    fast, reference = both_paths(header, records, chunk_size=500)
    assert fast == reference
    assert sum(fast[1][0].values()) == 3000


def test_column_wise_is_used_only_where_it_gives_the_same_answer() -> None:
    ruleset = default_ruleset()
    columns = map_columns(["patient_id"], {})
    plain = Job(ruleset, columns, dt.date(2026, 10, 15), False)
    assert ColumnPlan.usable(plain)
    # --jsonl needs each record's values for its reasons: record by record
    assert not ColumnPlan.usable(Job(ruleset, columns, dt.date(2026, 10, 15), True))
    assert column_plan(Job(ruleset, columns, dt.date(2026, 10, 15), True)) is None


def test_a_rule_on_a_field_read_record_by_record_is_not_column_wise(tmp_path: Path) -> None:
    """The patient id (and what derive() may drop or fill in) is not read column-wise."""
    from cart_screen.ruleset import default_rules_path, load_ruleset

    folder = tmp_path / "rules"
    folder.mkdir()
    source = default_rules_path()
    data = yaml.safe_load((source / "ruleset.yaml").read_text(encoding="utf-8"))
    adult = data["rules"][0]
    adult["optional"] = ["patient_id"]
    test_record = {"op": "eq", "field": "patient_id", "value": "TEST-1"}
    adult["flag_when"] = {"op": "any", "of": [test_record, adult["flag_when"]]}
    adult["examples"] = []
    (folder / "ruleset.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for name in ("vocabulary.yaml", "values.yaml", "advisory.yaml"):
        (folder / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    ruleset = load_ruleset(folder)
    job = Job(ruleset, map_columns(["patient_id"], {}), dt.date(2026, 10, 15), False)
    assert not ColumnPlan.usable(job)


def test_chunks_number_records_as_one_reader_would() -> None:
    """Blank lines are not records; a broken record is one, and reading carries on after it."""
    text = 'patient_id,x\r\nA,1\r\n\r\nB,2\r\n"C"x,3\r\nD,4\r\n\r\n\r\nE,5\r\nF\r\n'
    for size in range(1, 8):
        _, chunks = read_chunks(io.StringIO(text, newline=""), "utf-8", size=size)
        records = [record for chunk in chunks for record in chunk.records()]
        assert [r.number for r in records] == [1, 2, 3, 4, 5, 6]
        assert [r.cells[:1] for r in records] == [["A"], ["B"], [], ["D"], ["E"], ["F"]]
        assert [r.problem is not None for r in records] == [False] * 2 + [True] + [False] * 2 + [
            True
        ]


def test_when_the_column_wise_pass_fails_the_chunk_is_screened_record_by_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: ColumnPlan, chunk: Chunk) -> Any:
        raise RuntimeError("a bug in the fast path")

    header, records = ["patient_id", "lvef_percent"], [["A", "35"], ["B", "55"]]
    reference = both_paths(header, records)[1]
    monkeypatch.setattr(ColumnPlan, "screen", broken)
    assert both_paths(header, records)[0] == reference


def own_parts_both_ways(
    header: list[str], records: list[list[str]], site: Site, language: Language, chunk_size: int
) -> tuple[list[Any], list[Any]]:
    """For the screening log: each record's own part of its full result, column-wise and from
    the record-by-record path's full result (batch.explained_of)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *records])
    outputs: list[list[Any]] = []
    for column_wise in (True, False):
        stream = io.StringIO(buffer.getvalue(), newline="")
        read_header, chunks = read_chunks(stream, "utf-8", size=chunk_size)
        job = Job(
            default_ruleset(),
            map_columns(read_header, {}),
            dt.date(2026, 10, 15),
            False,  # without a plan, every record by record, with its full result
            language,
            site,
            log=True,
        )
        plan = ColumnPlan(job) if column_wise else None
        own: list[Any] = []
        for chunk in chunks:
            out = screen_chunk(job, chunk, plan)
            own.extend(zip(out.forms, out.own.explained(), strict=True))
        outputs.append(own)
    return outputs[0], outputs[1]


@settings(max_examples=150, deadline=None)
@generated_lists
def test_column_wise_gives_each_record_the_full_result_parts_the_record_path_gives(
    generated: tuple[list[str], list[list[str]]], language: Language, site: Any, chunk_size: int
) -> None:
    """Reasons worked out once per combination of values are each record's own reasons."""
    header, records = generated
    fast, reference = own_parts_both_ways(header, records, site, language, chunk_size)
    assert fast == reference


@pytest.mark.parametrize("trial", [0, 10**9])
def test_a_rule_on_several_columns_says_the_same_items_looked_up_or_worked_out_each_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trial: int
) -> None:
    """With a log, a rule on several columns looks up the item of a combination of classes met
    before, unless most combinations are new (columnwise.MEMO_TRIAL): either way, each record's
    own parts are what the record-by-record path says."""
    from cart_screen import columnwise

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from make_referrals import write

    monkeypatch.setattr(columnwise, "MEMO_TRIAL", trial)
    source = write(tmp_path / "list.csv", 1200)
    header, *records = list(csv.reader(io.StringIO(source.read_text("utf-8"), newline="")))
    fast, reference = own_parts_both_ways(header, records, NO_SITE, "en", 100)
    assert fast == reference


def test_words_holding_a_lone_surrogate_make_the_whole_item_escaped_as_the_record_path_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An item whose reason holds a lone surrogate is escaped whole in ASCII (result.item_piece):
    column-wise, such a record's item is said whole, not joined from pieces escaped alone."""
    words = evaluate._Explanation.words

    def with_surrogate(self: Any, leaf: Any, held: bool) -> str:
        said = words(self, leaf, held)
        return said + "\udcff" if leaf.field == "ast_x_uln" else said

    judge = judge_for(default_ruleset())
    judge.phrases.clear()  # the judge remembers words: none said without the surrogate
    monkeypatch.setattr(evaluate._Explanation, "words", with_surrogate)
    try:
        header = ["patient_id", "total_bilirubin_x_uln", "ast_x_uln", "alt_x_uln"]
        values = itertools.product(["0.5", "3.01", ""], ["1", "6", "x"], ["1", "y"])
        records = [[f"R-{n}", *cells] for n, cells in enumerate(values)]
        fast, reference = own_parts_both_ways(header, records, NO_SITE, "en", 5)
    finally:
        judge.phrases.clear()
    assert fast == reference
    assert any("\\udcff" in item for _, own in fast for item in own.items)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(st.characters() | st.sampled_from(["\udcff", "\x00", '"', "\\"]), max_size=6),
            min_size=2,  # a record of two cells is broken: kept as its cells
            max_size=3,
        ),
        max_size=5,
    ),
    st.sampled_from([("patient_id",), ("patient_id", "notes", "lvef_percent")]),
)
def test_a_form_as_read_is_its_cells_as_the_json_module_writes_them(
    rows: list[list[str]], names: tuple[str, ...]
) -> None:
    """Any text — a NUL, a lone surrogate from bytes that did not decode, quotes — is stored as
    json.dumps writes the form's cells (a broken record's: all its cells), escaped in ASCII."""
    header = ["patient_id", "notes", "lvef_percent"]
    columns = Columns(3, tuple((header.index(name), name) for name in names), 0, ())
    job = Job(default_ruleset(), columns, dt.date(2026, 10, 15), False, log=True)
    forms = forms_as_read(job, Chunk(1, rows, {}))
    expected = [
        json.dumps(
            [row[index] for index, _ in columns.fields] if len(row) == 3 else {"record": row},
            separators=(",", ":"),
        )
        for row in rows
    ]
    assert [form for _, _, form in forms] == expected
    assert [patient_id for patient_id, _, _ in forms] == [row[0].strip() or None for row in rows]
