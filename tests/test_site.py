"""Site settings (SPEC §6): --site FILE / CART_SCREEN_SITE on every screening command; the lab's
upper limits of normal read absolute lab values; every problem in the file is located; a result
names the site file (its sha256) it was screened with."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cart_screen import screen
from cart_screen.cli import app
from cart_screen.ruleset import RulesetError, default_ruleset
from cart_screen.site import NO_SITE, load_site
from cart_screen.web import create_app

SITE = """\
icu_available: yes
lab_uln:
  total_bilirubin: 20.5 µmol/L
  ast: 40 U/L
  alt: 50 IU/L
"""

FORM = """\
patient_id: S-1
screening_date: 2026-11-27
total_bilirubin_x_uln: 68 µmol/L
ast_x_uln: 180 U/L
alt_x_uln: 100 U/L
"""


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(SITE, "utf-8")
    return path


def test_a_site_file_gives_defaults_and_lab_ulns(site_file: Path) -> None:
    site = load_site(site_file, default_ruleset().book)
    assert site.defaults == {"icu_available": True}
    assert {name: str(q) for name, q in site.lab_uln.items()} == {
        "total_bilirubin": "20.5 µmol/L",
        "ast": "40 U/L",
        "alt": "50 IU/L",
    }
    assert site.sha256 == hashlib.sha256(site_file.read_bytes()).hexdigest()


def test_the_site_ulns_divide_values_written_with_their_unit_and_the_reason_shows_the_sum(
    site_file: Path,
) -> None:
    site = load_site(site_file, default_ruleset().book)
    result = screen(
        {"patient_id": "S-1", "total_bilirubin_x_uln": "68 µmol/L", "ast_x_uln": "180 U/L",
         "alt_x_uln": "100 U/L"},
        site=site,
    )  # fmt: skip
    hepatic = next(i for i in result.items if i.rule_id == "precaution.hepatic")
    assert hepatic.status == "flagged"
    assert "68 µmol/L ÷ ULN 20.5 µmol/L (site file) = 3.32×ULN" in hepatic.reason
    assert result.errors == []
    assert result.site is not None
    assert result.site.name == "site.yaml"


def test_a_ulN_in_the_cell_wins_over_the_site_file(site_file: Path) -> None:
    site = load_site(site_file, default_ruleset().book)
    read = default_ruleset().reader_for(site.lab_uln).read({"ast_x_uln": "180 U/L (ULN 60)"})
    assert read.facts["ast_x_uln"] == 3.0
    assert read.facts["ast_x_uln"].how.en == "180 U/L ÷ ULN 60 U/L = 3×ULN"


def test_a_site_given_as_a_mapping_reads_the_same() -> None:
    result = screen(
        {"patient_id": "S-1", "total_bilirubin_x_uln": "4 mg/dL"},
        site={"lab_uln": {"total_bilirubin": "20.5 µmol/L"}},
    )
    assert not result.errors
    hepatic = next(i for i in result.items if i.rule_id == "precaution.hepatic")
    assert "4 mg/dL = 68.4 µmol/L ÷ ULN 20.5 µmol/L (site file) = 3.34×ULN" in hepatic.reason


def test_without_a_site_file_an_absolute_value_asks_for_its_uln() -> None:
    result = screen({"patient_id": "S-1", "total_bilirubin_x_uln": "68 µmol/L"})
    (error,) = result.errors
    assert error.field == "total_bilirubin_x_uln"
    assert "set lab_uln in the site file (--site)" in error.message
    assert result.site is None


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        pytest.param(
            "icu_available: yes\nbeds: 12\n", ":2:", "unknown key 'beds'", id="unknown-key"
        ),
        pytest.param(
            "icu_available: perhaps\n",
            ":1:16:",
            "icu_available: expected yes or no",
            id="bad-default",
        ),
        pytest.param(
            "lab_uln:\n  total_bilirubin: 40 U/L\n",
            ":2:20:",
            "not a unit",
            id="unit-not-of-the-test",
        ),
        pytest.param("lab_uln:\n  ast: 0 U/L\n", ":2:8:", "must be above 0", id="not-positive"),
        pytest.param(
            "lab_uln:\n  ast: 40\n", ":2:8:", "expected a value with its unit", id="no-unit"
        ),
        pytest.param("lab_uln:\n  ggt: 40 U/L\n", ":2:8:", "unknown test 'ggt'", id="unknown-test"),
        pytest.param(
            "lab_uln:\n  total_bilirubin: 2000 µmol/L\n",
            ":2:20:",
            "outside the plausible",
            id="implausible",
        ),
        pytest.param("lab_uln: [1, 2]\n", ":1:", "expected `key: value` pairs", id="not-a-mapping"),
    ],
)
def test_a_wrong_site_file_is_refused_with_file_line_and_reason(
    tmp_path: Path, text: str, where: str, says: str
) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RulesetError) as caught:
        load_site(path, default_ruleset().book)
    assert f"{path}{where}" in str(caught.value)
    assert says in str(caught.value)


def test_check_takes_the_site_file_and_names_it_in_the_json(
    runner: CliRunner, tmp_path: Path, site_file: Path
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, "utf-8")
    run = runner.invoke(app, ["check", str(form), "--site", str(site_file), "--json"])
    assert run.exit_code == 0, run.output
    result = json.loads(run.output)
    assert result["site"] == {
        "name": "site.yaml",
        "sha256": hashlib.sha256(site_file.read_bytes()).hexdigest(),
        "settings": {
            "icu_available": True,
            "lab_uln": {"total_bilirubin": "20.5 µmol/L", "ast": "40 U/L", "alt": "50 IU/L"},
        },
    }
    assert [e["field"] for e in result["errors"]] == []


def test_the_site_file_may_come_from_the_environment_and_the_option_still_wins_for_icu(
    runner: CliRunner, tmp_path: Path, site_file: Path
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, "utf-8")
    args = ["check", str(form), "--json", "--icu-available", "no"]
    run = runner.invoke(app, args, env={"CART_SCREEN_SITE": str(site_file)})
    assert run.exit_code == 0, run.output
    result = json.loads(run.output)
    assert result["site"]["settings"]["icu_available"] is False
    icu = next(i for i in result["items"] if i.get("rule_id") == "precaution.icu_facility")
    assert icu["status"] == "flagged"


def test_a_wrong_site_file_stops_check_with_one_located_message(
    runner: CliRunner, tmp_path: Path
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, "utf-8")
    bad = tmp_path / "site.yaml"
    bad.write_text("lab_uln:\n  ast: -3 U/L\n", "utf-8")
    run = runner.invoke(app, ["check", str(form), "--site", str(bad)])
    assert run.exit_code == 2
    assert f"{bad}:2:8: error: ast: the upper limit of normal must be above 0" in run.output
    assert "Traceback" not in run.output


def test_batch_reads_absolute_lab_values_with_the_site_file(
    runner: CliRunner, tmp_path: Path, site_file: Path
) -> None:
    listed = tmp_path / "list.csv"
    listed.write_text(
        "patient_id,total_bilirubin_x_uln,ast_x_uln,alt_x_uln\n"
        'A,68 µmol/L,40 U/L,50 U/L\nB,20 µmol/L,"180 U/L (ULN 40)",1.0\n',
        "utf-8",
    )
    out = tmp_path / "out.csv"
    for jobs in ("1", "2"):
        args = ["batch", str(listed), "-o", str(out), "--site", str(site_file), "--jobs", jobs]
        run = runner.invoke(app, args)
        assert run.exit_code == 0, run.output
        lines = out.read_text("utf-8").splitlines()
        assert lines[1].startswith("1,A,flagged,precaution.hepatic,")
        assert lines[2].startswith("2,B,")
        assert "errors" not in lines[2]
        assert ",," in lines[2]


def test_the_web_form_reads_with_the_site_file_and_shows_it(site_file: Path) -> None:
    site = load_site(site_file, default_ruleset().book)
    client = TestClient(create_app(default_ruleset(), site=site), base_url="http://127.0.0.1")
    page = client.post(
        "/check",
        data={"patient_id": "W-1", "total_bilirubin_x_uln": "68 µmol/L", "lang": "en"},
    )
    assert page.status_code == 200
    assert "68 µmol/L ÷ ULN 20.5 µmol/L (site file) = 3.32×ULN" in page.text
    assert "site file site.yaml" in page.text


def test_no_site_is_no_site_in_the_result() -> None:
    assert NO_SITE.empty
    assert screen({"patient_id": "N"}).site is None
