"""Write a realistic referral list of any size, the same bytes for the same size and seed.

Hospital exports as they come: extra columns, a share of blank cells, mixed spellings of yes/no
and subtypes (English, Chinese, abbreviations), notes with commas and line breaks, a few
unreadable values and now and then a broken (short) record.

    python benchmarks/make_referrals.py 1000000 referrals-1m.csv [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

HEADER = [
    "patient_id", "screening_date", "date_of_birth", "diagnosis", "disease_status",
    "prior_systemic_lines", "active_infection", "hypersensitivity_to_components",
    "lvef_percent", "nyha_class", "total_bilirubin_x_uln", "ast_x_uln", "alt_x_uln",
    "child_pugh_class", "on_immunosuppressants", "recent_live_vaccine",
    "other_anticancer_therapy", "icu_available", "referring_hospital", "notes",
]  # fmt: skip
DIAGNOSES = [
    "DLBCL_NOS", "DLBCL, NOS", "弥漫性大B细胞淋巴瘤，非特指型", "tFL", "transformed follicular lymphoma",
    "double-hit lymphoma", "HGBL-NOS", "PMBCL", "原发纵隔大B细胞淋巴瘤", "FL grade 3B", "DLBCL",
]  # fmt: skip
YES_NO = ["yes", "no", "no", "no", "Y", "N", "是", "否", "true", "false"]
HOSPITALS = ["Ruijin", "Huashan", "Zhongshan", "West China", "PUMCH"]
NOTES = [
    "",
    "",
    "",
    "bridging R-GemOx",
    "seen twice, stable",
    "CT pending\nPET booked",
    "备注：家属陪同",
]


def record(rng: random.Random, number: int) -> list[str]:
    """One referral; about 8 % of cells blank and 1 % unreadable."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))
    cells = [
        f"R-{number:08d}",
        "2026-10-15",
        birth.isoformat(),
        rng.choice(DIAGNOSES),
        rng.choice(["relapsed", "refractory", "refractory", "remission", "Relapsed"]),
        str(rng.choice([0, 1, 2, 2, 3, 3, 4, 5])),
        rng.choice(["none", "none", "none", "controlled", "uncontrolled"]),
        rng.choice(YES_NO),
        f"{rng.uniform(25, 70):.0f}",
        rng.choice(["I", "I", "II", "II", "III", "IV", "2"]),
        f"{rng.uniform(0.2, 4):.1f}",
        f"{rng.uniform(0.3, 7):.1f}",
        f"{rng.uniform(0.3, 7):.1f}",
        rng.choice(["A", "A", "B", "C", "", ""]),
        rng.choice(YES_NO),
        rng.choice(YES_NO),
        rng.choice(YES_NO),
        rng.choice(["yes", "yes", "yes", "no"]),
        rng.choice(HOSPITALS),
        rng.choice(NOTES),
    ]
    for i in range(1, len(cells) - 2):
        roll = rng.random()
        if roll < 0.08:
            cells[i] = ""
        elif roll < 0.09:
            cells[i] = rng.choice(["abc", "?", "n/a", "2026/10/15", "-1"])
    if rng.random() < 0.001:
        del cells[rng.randrange(5, len(cells)) :]  # a short, broken record
    return cells


def write(path: Path, count: int, seed: int = 7) -> Path:
    """Write `count` referrals to `path` (UTF-8, CRLF, quoted where needed)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, count + 1):
            writer.writerow(record(rng, number))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.path, args.count, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
