"""A list recorded with `batch --log` keeps each screening's full result, on both engines.

What a list's results say alike is stored once and each record's own parts once per distinct
text (log/lists.py); reading a screening back must give exactly the result JSON `screen()` gives
for the form as stored — field for field, for every record of a generated list.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cart_screen import screen
from cart_screen.cli import app
from cart_screen.i18n import Language
from cart_screen.log.screening_log import Screening, ScreeningLog
from cart_screen.ruleset import default_ruleset
from cart_screen.site import NO_SITE, Site, load_site

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from make_referrals import write

AS_OF = "2026-11-27"
HOSTILE = [
    # values read with a conversion, a score, a site default, an id the column cannot hold
    ["H-1", "2026-10-15", "", "45岁", "DLBCL, GCB type", "r/r", "三线", "未控制", "否", "LVEF 35%",
     "心功能III级", "68 µmol/L (ULN 21)", "180 U/L（正常上限 50 U/L）", "3.2倍ULN", "8分", "有",
     "无", "", "", "x", ""],
    ["H-2", "2026-10-15", "2030-01-01", "200", "FL", "PR", "R-CHOP, R-ICE", "maybe", "maybe",
     "0.55", "V", "68 µmol/L", "x", "1_0", "D", "?", "?", "?", "unknown", "", ""],
    ["", "2026-10-15", "1960-01-01", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
     "", "", ""],
    ["=H-4", "2026-02-30", "1960-05-01", "66", "tFL", "relapsed", "2", "none", "no", "55 %", "II",
     "1", "1", "1", "A", "no", "no", "no", "yes", "", "note, with a comma"],
]  # fmt: skip


def a_list(folder: Path) -> Path:
    """A generated list (make_referrals: blanks, junk, Chinese, broken records) and hostile rows."""
    source = write(folder / "generated.csv", 1500)
    header, *records = list(csv.reader(io.StringIO(source.read_text("utf-8"), newline="")))
    header.insert(4, "age_years")
    for record in records:
        if len(record) >= 4:
            record.insert(4, "")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *records, *HOSTILE])
    path = folder / "referrals.csv"
    path.write_text(buffer.getvalue(), "utf-8")
    return path


def expected(screening: Screening, language: Language, site: Site) -> dict[str, Any]:
    return screen(screening.form, as_of=AS_OF, language=language, site=site).model_dump(mode="json")


@pytest.mark.parametrize("setting", ["en", "zh with a site file"])
def test_each_screening_of_a_list_reads_back_as_the_full_result_screen_gives(
    log_target: str, tmp_path: Path, setting: str
) -> None:
    source = a_list(tmp_path)
    options = ["--as-of", AS_OF]
    language: Language = "en"
    site = NO_SITE
    if setting != "en":
        site_file = tmp_path / "site.yaml"
        site_file.write_text(
            "icu_available: yes\nlab_uln:\n  total_bilirubin: 20.5 µmol/L\n  ast: 40 U/L\n",
            "utf-8",
        )
        options += ["--lang", "zh", "--site", str(site_file)]
        language, site = "zh", load_site(site_file, default_ruleset().book)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["batch", str(source), "-o", str(out), "--log", log_target, *options]
    )
    assert result.exit_code == 0, result.stderr
    count = len(list(csv.DictReader(io.StringIO(out.read_text("utf-8"), newline=""))))
    with ScreeningLog.open(log_target) as log:
        stored = [event for event in log.everything() if isinstance(event, Screening)]
        assert [s.source_row for s in stored] == list(range(1, count + 1))
        compared = 0
        for screening in stored:
            if "record" in screening.form:  # a broken record: not screened, said why
                assert screening.outcome == "error"
                assert screening.result["errors"][0]["field"] == "record"
                continue
            assert screening.result == expected(screening, language, site), screening.source_row
            compared += 1
        assert compared > 1450
        # one screening read alone (history, the web's page) is put together the same way
        last = stored[-1]
        alone = log.screening(last.id)
        assert alone is not None
        assert alone.result == last.result
        assert alone.form == last.form
        with log.engine.connect() as connection:
            parts = connection.execute(sa.text("SELECT count(*) FROM list_parts")).scalar_one()
            lists = connection.execute(sa.text("SELECT count(*) FROM screened_lists")).scalar_one()
        assert lists == 1
        assert parts < 12 * count  # what repeats is stored once
