"""Control characters are no part of any value (issue 13): refused where a value is read.

A terminal without line editing types `\\x1b[D` for ←; a list may hold a NUL or a colour code.
Whatever path a value comes by — the Python API, a form file, a CSV cell, the web form, the
wizard — the one value reader refuses it, naming the field and what was found, and the rest of
the record is screened. Tab and line breaks are layout, not control: a cell copied from a report
may wrap.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cart_screen import screen
from cart_screen.cli import app
from cart_screen.form import FIELDS
from cart_screen.ruleset import default_ruleset
from cart_screen.web import create_app

GOOD = {
    "patient_id": "R-1",
    "screening_date": "2026-10-15",
    "date_of_birth": "1960-01-01",
    "age_years": "66",
    "diagnosis": "DLBCL NOS",
    "disease_status": "refractory",
    "prior_systemic_lines": "3",
    "active_infection": "none",
    "hypersensitivity_to_components": "no",
    "lvef_percent": "58",
    "nyha_class": "I",
    "total_bilirubin_x_uln": "1.0",
    "ast_x_uln": "1.0",
    "alt_x_uln": "1.0",
    "child_pugh_class": "A",
    "on_immunosuppressants": "no",
    "recent_live_vaccine": "no",
    "other_anticancer_therapy": "no",
    "icu_available": "yes",
    # advisory (not the label): refused the same way
    "ecog_ps": "1",
    "prior_cd19_therapy": "no",
    "cns_involvement": "none",
    "hbsag": "negative",
    "anti_hbc": "negative",
    "hbv_dna": "negative",
    "hcv_rna": "negative",
    "hiv": "negative",
    "prior_allo_hsct": "yes",
    "allo_hsct_days": "200",
    "active_gvhd": "no",
    "gvhd_immunosuppression": "no",
    "anc_x10e9_l": "1.5",
    "alc_x10e9_l": "0.5",
    "platelets_x10e9_l": "150",
    "hemoglobin_g_l": "120",
    "crcl_ml_min": "90",
    "spo2_percent": "97",
    "prior_anti_cd20": "yes",
    "prior_anthracycline": "yes",
    "relapse_biopsy_confirmed": "yes",
    "measurable_disease": "yes",
}
TYPED = [
    ("{}\x1b[D\x1b[DX", "holds \\x1b[D, which the ← key types"),
    ("\x1b[A{}", "holds \\x1b[A, which the ↑ key types"),
    ("{}\x00", "holds the control character \\x00"),
    ("{}\x1b[31m", "holds the control character \\x1b[31m"),
    ("\x9b2J{}", "holds the control character \\x9b2J"),
    ("{}\x7f", "holds \\x7f, which the ⌫ key types"),
]


@pytest.mark.parametrize("name", FIELDS)
@pytest.mark.parametrize(("shape", "said"), TYPED)
def test_a_value_holding_a_control_character_is_refused_and_the_rest_screened(
    name: str, shape: str, said: str
) -> None:
    form = {**GOOD, name: shape.format(GOOD[name])}
    result = screen(form, as_of=dt.date(2026, 10, 15))
    errors = {e.field: e.message for e in result.errors}
    assert list(errors) == [name]
    assert errors[name].startswith(said)
    assert len(result.items) == (0 if name == "patient_id" else 12)


@pytest.mark.parametrize("value", ["DLBCL\tNOS", "DLBCL NOS\n", "DLBCL\r\nNOS"])
def test_tab_and_line_breaks_are_layout_not_control(value: str) -> None:
    result = screen({**GOOD, "diagnosis": value}, as_of=dt.date(2026, 10, 15))
    assert result.errors == []


def test_a_form_file_a_csv_cell_and_the_web_form_refuse_it_alike(
    runner: CliRunner, tmp_path: Path
) -> None:
    said = "holds \\x1b[D, which the ← key types in a terminal without line editing"
    form = tmp_path / "form.json"
    form.write_text(json.dumps({**GOOD, "nyha_class": "II\x1b[DI"}), "utf-8")
    checked = json.loads(runner.invoke(app, ["check", "--json", str(form)]).output)
    assert [(e["field"], e["message"][: len(said)]) for e in checked["errors"]] == [
        ("nyha_class", said)
    ]

    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", encoding="utf-8", newline="") as listed:
        writer = csv.writer(listed)
        writer.writerow(list(GOOD))
        writer.writerow({**GOOD, "nyha_class": "II\x1b[DI"}.values())
    assert runner.invoke(app, ["batch", str(source), "-o", str(out)]).exit_code == 0
    with out.open(encoding="utf-8", newline="") as results:
        (row,) = csv.DictReader(results)
    assert row["errors"].startswith(f"nyha_class: {said}")

    client = TestClient(
        create_app(default_ruleset(), dt.date(2026, 10, 15)), base_url="http://127.0.0.1"
    )
    page = client.post("/check", data={**GOOD, "nyha_class": "II\x1b[DI"})
    assert page.status_code == 422
    assert said in page.text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_id_with_an_invisible_character_is_taken_as_seen_or_refused_never_kept(
    runner: CliRunner, tmp_path: Path, jobs: str
) -> None:
    """A tryout found `\\ufeffP2` (a second export glued on, its byte-order mark inside the
    file) and `P1\\u200b` (a zero-width space) kept in ids: P1 twice went unnoticed as a
    duplicate. Around an id they go, as spaces do; inside one it is an error on patient_id."""
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = ["\ufeffP2", "P1\u200b", " \u2060P1\u00ad ", "P\u200b9", "P1"]
    with source.open("w", encoding="utf-8", newline="") as listed:
        writer = csv.writer(listed)
        writer.writerow(list(GOOD))
        for patient_id in rows:
            writer.writerow({**GOOD, "patient_id": patient_id}.values())
    run = runner.invoke(app, ["batch", str(source), "-o", str(out), "--jobs", jobs])
    assert run.exit_code == 0
    with out.open(encoding="utf-8", newline="") as results:
        found = [
            (row["patient_id"], row["outcome"], row["errors"]) for row in csv.DictReader(results)
        ]
    refused = (
        "patient_id: holds an invisible character (U+200B) inside it, so it looks like another id"
    )
    assert [(pid, outcome) for pid, outcome, _ in found] == [
        ("P2", "no_flags"), ("P1", "no_flags"), ("P1", "no_flags"), ("", "error"), ("P1", "no_flags")
    ]  # fmt: skip
    assert found[3][2].startswith(refused)
    assert "patient ids occur more than once" in run.stderr
    result = screen({**GOOD, "patient_id": "P\u200d1"}, as_of=dt.date(2026, 10, 15))
    assert [e.field for e in result.errors] == ["patient_id"]
    assert result.outcome == "error"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_unread_screening_date_never_dates_an_age_from_the_date_of_birth(
    runner: CliRunner, tmp_path: Path, jobs: str
) -> None:
    """A tryout: screening date `2026-10-15 09:30` (refused: a date and time) fell back to the
    run's date, on which a 17-year-old born 2008-11-20 was 18 — `no_flags`. The age stated
    stands; else it is unknown (needs info), in both paths (--jsonl: record by record)."""
    source = tmp_path / "in.csv"
    records = [
        ("A", "2026-10-15 09:30", ""),
        ("B", "2026-10-15 09:30", "17"),
        ("C", "2026-10-15", ""),
    ]
    with source.open("w", encoding="utf-8", newline="") as listed:
        writer = csv.writer(listed)
        writer.writerow(["patient_id", "screening_date", "date_of_birth", "age_years"])
        for _ in range(200):  # enough for the column-wise path to screen them
            writer.writerows([(pid, day, "2008-11-20", age) for pid, day, age in records])
    outputs = []
    for details in ([], ["--jsonl", str(tmp_path / "d.jsonl")]):
        out = tmp_path / f"out{len(details)}.csv"
        args = ["batch", str(source), "-o", str(out), "--jobs", jobs, "--as-of", "2026-11-29"]
        assert runner.invoke(app, [*args, *details]).exit_code == 0
        outputs.append(out.read_bytes())
        with out.open(encoding="utf-8", newline="") as results:
            rows = list(csv.DictReader(results))[:3]
        assert ["indication.adult" in row["needs_info"] for row in rows] == [True, False, False]
        assert ["indication.adult" in row["flagged"] for row in rows] == [False, True, True]
    assert outputs[0] == outputs[1]
