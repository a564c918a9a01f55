"""Fault injection: every file of the hostile corpus through `batch` and the web upload (issue 14).

Whatever a list holds, `batch` exits 0 (screened) or 2 (refused, one line) — never 1, never a
traceback; when it screened, OUT.csv and --jsonl have one row per record as Python's csv module
counts them; nothing is left beside the results (no .part file, no scratch folder); the terminal
gets no raw control character; and it all runs in a 1 GB address space. The web upload answers
with the results or a page saying why — never a 500. See tests/hostile/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cart_screen.list_encoding import list_encoding
from cart_screen.ruleset import default_ruleset
from cart_screen.web import create_app
from conftest import ResultsCsv

CORPUS = Path(__file__).parent / "hostile"
MEMORY = 1 << 30
"""The address space each run gets: a list that needed more would fail the test."""

RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
OK = "2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,55,I"
HEADER = "patient_id,screening_date,date_of_birth,diagnosis,disease_status,prior_systemic_lines,lvef_percent,nyha_class"


def ten_thousand_columns() -> bytes:
    header = "patient_id,lvef_percent," + ",".join(f"c{n}" for n in range(9_998))
    record = ",50," + ",".join(["x"] * 9_998)
    return "\r\n".join([header, *(f"W-{n}{record}" for n in range(3))]).encode()


def one_megabyte_line() -> bytes:
    return f"patient_id,notes\r\nL-1,{'x' * 1_000_000}\r\nL-2,short\r\n".encode()


def one_megabyte_header() -> bytes:
    return b"x" * 1_000_000  # one line, no line end, no patient_id


def nul_after_the_head() -> bytes:
    records = "".join(f"N-{n},{OK}\r\n" for n in range(200))  # past the first 8,000 bytes
    return f"{HEADER}\r\n{records}N\x00X,{OK}\r\n".encode()


GENERATED: dict[str, Callable[[], bytes]] = {
    "generated-10000-columns.csv": ten_thousand_columns,
    "generated-1mb-line.csv": one_megabyte_line,
    "generated-1mb-header.csv": one_megabyte_header,
    "generated-nul-after-the-head.csv": nul_after_the_head,
}
COMMITTED = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".yaml"))
NAMES = [*COMMITTED, *GENERATED]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus and the generated files, in one folder of their own."""
    folder = tmp_path_factory.mktemp("corpus")
    for name in COMMITTED:
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    for name, make in GENERATED.items():
        (folder / name).write_bytes(make())
    return folder


def one_gigabyte() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def cart_screen(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own, in at most MEMORY bytes of address space."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    return subprocess.run(
        [sys.executable, "-m", "cart_screen", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
        preexec_fn=one_gigabyte,
        env=env,
        check=False,
    )


def records_in(data: bytes) -> int:
    """How many records Python's csv module reads after the header (blank lines are none)."""
    text = data.decode(list_encoding(data).codec, errors="surrogateescape")
    limit = csv.field_size_limit(sys.maxsize)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    finally:
        csv.field_size_limit(limit)
    return len(rows) - 1


def rows_in(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))[1:]


class Run:
    """One `batch` run of a corpus file, and the folder its outputs went to."""

    def __init__(self, source: Path, folder: Path):
        self.source, self.folder = source, folder
        self.out, self.details = folder / "out.csv", folder / "details.jsonl"
        self.summary = folder / "summary.json"
        self.result = cart_screen(
            "batch", str(source), "-o", str(self.out), "--jsonl", str(self.details),
            "--summary", str(self.summary), "--as-of", "2026-10-15",
        )  # fmt: skip


@pytest.fixture(scope="module")
def runs(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """Every corpus file through `batch`, four processes at a time."""
    folders = {name: tmp_path_factory.mktemp("run") for name in NAMES}
    with ThreadPoolExecutor(4) as pool:
        done = {n: pool.submit(Run, corpus / n, folders[n]) for n in NAMES}
        yield {name: future.result() for name, future in done.items()}


@pytest.mark.parametrize("name", NAMES)
def test_batch_screens_or_refuses_every_hostile_file_cleanly(
    runs: dict[str, Run], name: str
) -> None:
    run = runs[name]
    result = run.result
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert not RAW_CONTROL.search(result.stderr), result.stderr
    left = {path.name for path in run.folder.iterdir()}
    if result.returncode == 2:
        assert result.stderr.startswith("cart-screen: error: ")
        assert result.stderr.count("\n") == 1, result.stderr
        assert left == set(), "a refused list leaves nothing behind"
        return
    assert left == {"out.csv", "details.jsonl", "summary.json"}, "no .part, no scratch folder"
    records = records_in(run.source.read_bytes())
    with run.out.open(encoding="utf-8", newline="") as out:
        rows = rows_in(out.read())
    assert [row[0] for row in rows] == [str(n) for n in range(1, records + 1)]
    assert len(run.details.read_text("utf-8").splitlines()) == records


EXPECTED_SCREENED = {
    "control-characters.csv", "formula-ids.csv", "crlf.csv", "cr-only.csv", "mixed-line-ends.csv",
    "bom-in-the-middle.csv", "invalid-utf8.csv", "quoted-cells.csv", "wrong-cell-counts.csv",
    "long-id.csv", "deep-text.csv", "header-only.csv", "blank-lines-only.csv",
    "generated-10000-columns.csv",
    "generated-1mb-line.csv", "generated-nul-after-the-head.csv",
    "nul-in-a-cell.csv",  # one NUL in the first 8,000 bytes: a stray one, an error on its field
}  # fmt: skip
"""The files that are lists, however odd; the others are refused (exit 2)."""


def test_the_lists_are_screened_and_the_rest_refused(runs: dict[str, Run]) -> None:
    screened = {name for name, run in runs.items() if run.result.returncode == 0}
    assert screened == EXPECTED_SCREENED


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = create_app(default_ruleset(), dt.date(2026, 10, 15))
    return TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)


@pytest.mark.parametrize("name", NAMES)
def test_the_web_upload_screens_or_refuses_every_hostile_file_cleanly(
    client: TestClient, corpus: Path, name: str, results_csv: ResultsCsv
) -> None:
    data = (corpus / name).read_bytes()
    response = client.post("/batch", files={"file": ("list.csv", data, "text/csv")})
    assert response.status_code in (200, 400, 413, 422), response.text
    assert "Traceback" not in response.text
    if response.status_code != 200:
        assert not RAW_CONTROL.search(response.text)
        assert 'role="alert"' in response.text  # the page says why
        return
    rows = rows_in(results_csv(client.get, response))
    assert [row[0] for row in rows] == [str(n) for n in range(1, records_in(data) + 1)]


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "validate", "{laughs}"],
        ["rules", "show", "--rules", "{laughs}"],
        ["check", "--site", "{laughs}", "{form}"],
        ["check", "{laughs}"],
        ["batch", "{list}", "-o", "{out}", "--columns", "{laughs}"],
    ],
    ids=["rule file", "rules show", "site file", "form", "column map"],
)
def test_a_billion_laughs_is_refused_at_once_wherever_yaml_is_read(
    corpus: Path, tmp_path: Path, args: list[str]
) -> None:
    paths = {
        "laughs": corpus / "billion-laughs.yaml",
        "list": corpus / "crlf.csv",
        "form": Path(__file__).parents[1] / "examples" / "patient-no-flags.yaml",
        "out": tmp_path / "out.csv",
    }
    result = cart_screen(*(arg.format(**{k: str(v) for k, v in paths.items()}) for arg in args))
    assert result.returncode == 2, result.stderr
    assert "anchors and aliases (&, *) are not allowed" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_guarantee_in_the_readme_names_a_test_that_exists() -> None:
    """README's Guarantees table: each line's test file and function are there (a line still
    'to be backed' may name a file another change brings)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    table = readme.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 10
    for row in rows:
        module = None
        for named in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", row):
            module = named[0] or module
            path = Path(__file__).parents[1] / str(module)
            if "to be backed" in row and not path.exists():
                continue
            assert path.exists(), row
            if named[1]:
                assert f"def {named[1]}(" in path.read_text("utf-8"), row
