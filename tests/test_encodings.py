"""A list is read in the encoding it was saved in, detected; content that is no CSV is refused."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cart_screen import list_encoding as detection
from cart_screen.cli import app
from cart_screen.i18n import Language, M
from cart_screen.list_encoding import ListEncoding, list_encoding, utf8_counts
from cart_screen.list_records import BatchInputError
from cart_screen.ruleset import default_ruleset
from cart_screen.web import create_app
from conftest import ResultsCsv
from workbooks import write_workbook

CHINESE_LIST = (
    "patient_id,date_of_birth,diagnosis,disease_status,prior_systemic_lines,lvef_percent,备注\r\n"
    "张三-1,1962-05-30,原发纵隔大B细胞淋巴瘤,复发,2,50,家属陪同\r\n"
    "李四-2,1980-12-01,double hit,难治,3,35,\r\n"
    "R-3,1949-07-07,DLBCL_NOS,relapsed,4,60,CT 待查\r\n"
)
UNREADABLE = "not UTF-8, UTF-16 with a byte-order mark, or GB18030"


def batch(tmp_path: Path, data: bytes, *extra: str) -> tuple[int, str, Path, Path]:
    """Run `batch` on a list of these bytes: exit code, messages, OUT.csv and the summary."""
    source, out, summary = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "summary.json"
    source.write_bytes(data)
    args = ["batch", str(source), "-o", str(out), "--summary", str(summary), *extra]
    run = CliRunner().invoke(app, [*args, "--as-of", "2026-10-15"])
    return run.exit_code, run.output, out, summary


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """The rows of CHINESE_LIST read as UTF-8 because it was asked for."""
    folder = tmp_path_factory.mktemp("reference")
    code, output, out, _ = batch(folder, CHINESE_LIST.encode(), "--encoding", "utf-8")
    assert code == 0, output
    rows = rows_of(out)
    assert [row["patient_id"] for row in rows] == ["张三-1", "李四-2", "R-3"]
    assert "error" not in {row["outcome"] for row in rows}
    return rows


SAVED = [
    ("utf-8", b"", "UTF-8"),
    ("utf-8", codecs.BOM_UTF8, "UTF-8"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32"),
    ("gb18030", b"", "GB18030"),
]


@pytest.mark.parametrize(("codec", "mark", "name"), SAVED)
def test_a_list_is_read_in_the_encoding_it_was_saved_in_and_the_summary_says_which(
    tmp_path: Path, reference: list[dict[str, str]], codec: str, mark: bytes, name: str
) -> None:
    code, output, out, summary = batch(tmp_path, mark + CHINESE_LIST.encode(codec))
    assert code == 0, output
    assert rows_of(out) == reference
    assert f"encoding: {name} (detected)" in output
    figures = json.loads(summary.read_text("utf-8"))
    assert (figures["encoding"], figures["encoding_detected"]) == (name, True)


def test_the_summary_says_the_encoding_in_chinese(tmp_path: Path) -> None:
    code, output, _, _ = batch(tmp_path, CHINESE_LIST.encode("gb18030"), "--lang", "zh")
    assert code == 0, output
    assert "编码：GB18030（自动识别）" in output


def damaged_utf8() -> tuple[bytes, int]:
    """A UTF-8 Chinese list with one byte of record 7 broken, and that record's number.

    Broken so, it also decodes whole as GB18030 — to mojibake — which it must not be read as.
    """
    lines = ["patient_id,disease_status,notes"]
    lines += [f"P{i},复发,家属陪同" for i in range(1, 21)]
    data = bytearray(("\r\n".join(lines) + "\r\n").encode())
    data[data.index(b"P7,") + 4] = 0xC0  # was the second byte of 复
    return bytes(data), 7


def test_a_damaged_utf8_list_is_read_as_utf8_with_one_error_row_never_as_gb18030(
    tmp_path: Path,
) -> None:
    data, broken = damaged_utf8()
    assert "复发" not in data.decode("gb18030")  # the trap: it decodes, as mojibake
    code, output, out, _ = batch(tmp_path, data)
    assert code == 0, output
    assert "encoding: UTF-8 (detected)" in output
    rows = rows_of(out)
    assert len(rows) == 20
    for number, row in enumerate(rows, start=1):
        if number == broken:
            assert row["outcome"] == "error"
            assert row["errors"] == "record: holds bytes that are not valid UTF-8"
        else:
            assert row["patient_id"] == f"P{number}"
            assert "holds bytes" not in row["errors"]


@pytest.mark.parametrize("damaged", [False, True], ids=["GB18030", "damaged UTF-8"])
def test_a_detected_list_gives_the_same_files_in_two_processes(
    tmp_path: Path, damaged: bool
) -> None:
    lines = ["patient_id,disease_status,notes"]
    lines += [f"患者{i},复发,家属陪同，第{i}次" for i in range(1, 25001)]  # > one 512 KB block
    text = "\r\n".join(lines) + "\r\n"
    data = bytearray(text.encode("utf-8" if damaged else "gb18030"))
    broken = [7, 20000] if damaged else []
    for number in broken:
        data[data.index(f"患者{number},".encode()) + 1] = 0x41  # inside 患
    outputs = []
    for jobs in ("1", "2"):
        code, output, out, summary = batch(tmp_path, bytes(data), "--jobs", jobs)
        assert code == 0, output
        outputs.append((out.read_bytes(), summary.read_bytes()))
    assert outputs[0] == outputs[1]
    rows = rows_of(out)
    assert [int(row["row"]) for row in rows if row["outcome"] == "error"] == broken
    assert rows[0]["patient_id"] == "患者1"
    figures = json.loads(outputs[0][1])
    assert figures["encoding"] == ("UTF-8" if damaged else "GB18030")


def test_a_list_in_another_encoding_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    latin1 = "patient_id,notes\r\nA,José Müller, à revoir\r\n".encode("latin-1")
    code, output, out, _ = batch(tmp_path, latin1)
    assert code == 2
    assert UNREADABLE in output
    assert "save the list as CSV UTF-8" in output
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        # Read as workbooks by their content (SPEC §8): these are damaged ones.
        (
            b"PK\x03\x04\x14\x00\x06\x00" + b"\0" * 64,
            "the workbook cannot be read (not a whole ZIP",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
            "the workbook cannot be read (not a whole OLE2",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "this is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is an image (PNG)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "this is an image (JPEG)"),
        (b"GIF89a\x01\x00\x01\x00", "this is an image (GIF)"),
        ("patient_id\nA\n".encode("utf-16-le"), "not a text file"),
        (b"SQLite format 3\x00\x10\x00" + bytes(82), "not a text file"),  # its 100-byte header
    ],
)
def test_content_that_is_no_csv_is_named_and_refused_without_pointing_at_a_flag(
    tmp_path: Path, content: bytes, says: str
) -> None:
    code, output, out, _ = batch(tmp_path, content)
    assert code == 2
    assert says in output
    assert "--encoding" not in output
    assert not out.exists()


def test_an_encoding_asked_for_a_workbook_is_a_usage_error(tmp_path: Path) -> None:
    workbook = write_workbook(tmp_path / "list.xlsx", {"Sheet1": [["patient_id"], ["A"]]})
    code, output, _, _ = batch(tmp_path, workbook.read_bytes(), "--encoding", "gb18030")
    assert code == 2
    assert "--encoding is for CSV lists; a workbook (.xlsx) says its own" in output


def test_an_encoding_asked_for_is_used_and_not_detected(tmp_path: Path) -> None:
    code, output, out, summary = batch(
        tmp_path, "patient_id,notes\r\nA,José\r\n".encode("latin-1"), "--encoding", "latin-1"
    )
    assert code == 0, output
    assert "encoding: latin-1 (as asked)" in output
    assert json.loads(summary.read_text("utf-8"))["encoding_detected"] is False
    # UTF-16 without a byte-order mark holds NUL bytes, and is read when it is asked for.
    no_mark = CHINESE_LIST.encode("utf-16-le")
    code, output, out, _ = batch(tmp_path, no_mark, "--encoding", "utf-16-le")
    assert code == 0, output
    assert rows_of(out)[0]["patient_id"] == "张三-1"


def test_a_wrong_encoding_asked_for_says_so_for_the_header(tmp_path: Path) -> None:
    code, output, out, _ = batch(
        tmp_path, "patient_id,诊断\n".encode("gb18030"), "--encoding", "utf-8"
    )
    assert code == 2
    assert "the header row is not valid utf-8, the encoding asked for" in output
    assert not out.exists()


# ---------------------------------------------------------------- the detection itself


@pytest.mark.parametrize(("codec", "mark", "name"), SAVED)
def test_a_file_and_its_bytes_are_detected_alike(
    tmp_path: Path, codec: str, mark: bytes, name: str
) -> None:
    data = mark + CHINESE_LIST.encode(codec)
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    assert list_encoding(path) == list_encoding(data)
    assert list_encoding(data).name == name


def test_an_empty_or_ascii_list_is_utf8() -> None:
    assert list_encoding(b"") == ListEncoding("utf-8-sig", "UTF-8")
    assert list_encoding(b"patient_id\nA\n").name == "UTF-8"


def test_gb18030_read_as_utf8_gives_few_valid_characters_for_many_bytes_that_do_not_decode() -> (
    None
):
    valid, undecodable = utf8_counts(CHINESE_LIST.encode("gb18030"))
    assert valid * detection.MOSTLY < undecodable
    assert utf8_counts(damaged_utf8()[0]) == (119, 3)


CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "DLBCL_NOS",
            "复发",
            "原发纵隔大B细胞淋巴瘤",
            "家属陪同，稳定",
            "三线",
            "是",
            "否",
            "35 %",
        ]
    ),
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x20, max_codepoint=0x7E),
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
            st.sampled_from('，。：；（）、\n"'),
        ),
        max_size=10,
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(CELLS, min_size=2, max_size=2), max_size=12),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
    st.sampled_from([3, 4096]),
)
def test_any_list_is_detected_and_read_to_the_same_records(
    records: list[list[str]], codec: str, block_bytes: int
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["patient_id", "notes"], *records])
    data = buffer.getvalue().encode(codec)
    valid, undecodable = utf8_counts(data)
    if codec == "gb18030" and not data.isascii() and valid >= detection.MOSTLY * undecodable:
        return  # bytes that are also (mostly) UTF-8: the limit the module docstring names
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detection, "BLOCK_BYTES", block_bytes)  # characters split across blocks
        used = list_encoding(data)
    read = list(csv.reader(io.StringIO(data.decode(used.codec), newline="")))
    assert read == [["patient_id", "notes"], *records]
    assert used.detected


def test_bytes_that_are_not_utf8_are_counted_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = damaged_utf8()
    monkeypatch.setattr(detection, "BLOCK_BYTES", 5)
    assert utf8_counts(data) == (119, 3)
    with pytest.raises(BatchInputError, match=UNREADABLE):
        list_encoding(b"patient_id\n" * 3 + b"Jos\xe9\n")


# ---------------------------------------------------------------- the web page's list upload


@pytest.fixture
def client() -> TestClient:
    return TestClient(
        create_app(default_ruleset(), dt.date(2026, 10, 15)), base_url="http://127.0.0.1"
    )


def test_an_uploaded_gb18030_list_is_detected_as_on_the_command_line(
    client: TestClient, reference: list[dict[str, str]], results_csv: ResultsCsv
) -> None:
    assert '<option value="auto" selected>' in client.get("/batch").text
    upload = ("r.csv", CHINESE_LIST.encode("gb18030"), "text/csv")
    response = client.post("/batch", files={"file": upload})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(results_csv(client.get, response), newline="")))
    assert rows == reference
    # An encoding chosen on the page is used as it is.
    asked = client.post("/batch", files={"file": upload}, data={"encoding": "utf-8"})
    assert asked.status_code == 422
    assert "the encoding asked for" in asked.text


def test_an_uploaded_image_is_named_and_never_sent_to_a_flag(client: TestClient) -> None:
    upload = ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")
    response = client.post("/batch", files={"file": upload})
    assert response.status_code == 422
    assert "this is an image (PNG), not a CSV file or workbook" in response.text
    assert "--encoding" not in response.text


# ---------------------------------------------------------------- encodings that are not text (issue 14, 6)

NOT_TEXT = ["rot13", "base64", "zlib", "hex", "bz2", "uu", "quopri", "undefined"]
"""Codecs Python knows that turn bytes into bytes or str into str, or refuse everything: asked
for as a list's encoding, each was an internal error (LookupError at the first read)."""


@pytest.mark.parametrize("name", NOT_TEXT)
def test_a_codec_that_is_no_text_encoding_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    code, output, out, _ = batch(tmp_path, CHINESE_LIST.encode(), "--encoding", name)
    assert code == 2, output
    assert output == (
        f"cart-screen: error: {tmp_path / 'in.csv'}: {name!r} is not a text encoding; name the "
        "one the list is saved in (utf-8, gb18030, big5, …) or leave it to be detected\n"
    )
    assert not out.exists()


@pytest.mark.parametrize("name", [*NOT_TEXT, "klingon"])
def test_an_upload_in_a_codec_that_is_no_text_encoding_is_a_400_page(
    client: TestClient, name: str
) -> None:
    upload = ("r.csv", CHINESE_LIST.encode(), "text/csv")
    response = client.post("/batch", files={"file": upload}, data={"encoding": name})
    assert response.status_code == 400
    assert name in response.text
    assert "text encoding" in response.text or "unknown encoding" in response.text


def test_a_text_encoding_that_is_not_the_lists_is_one_line_and_a_400_page(
    runner: CliRunner, tmp_path: Path
) -> None:
    """UTF-16 asked of a UTF-8 list: the decoder refuses the bytes (no BOM), never a crash."""
    from fastapi.testclient import TestClient

    from cart_screen.ruleset import default_ruleset
    from cart_screen.web import create_app

    listed = tmp_path / "list.csv"
    listed.write_text("patient_id,lvef_percent\nA,50\n", "utf-8")
    out = tmp_path / "out.csv"
    for encoding in ("utf-16", "utf-32"):
        run = runner.invoke(app, ["batch", str(listed), "-o", str(out), "--encoding", encoding])
        assert run.exit_code == 2, run.output
        assert f"the list cannot be read as {encoding}" in run.output
        assert not out.exists()
    client = TestClient(create_app(default_ruleset()), base_url="http://127.0.0.1")
    page = client.post(
        "/batch",
        data={"encoding": "utf-16"},
        files={"file": ("list.csv", listed.read_bytes(), "text/csv")},
    )
    assert page.status_code == 400
    assert "the list cannot be read as utf-16" in page.text


@pytest.mark.parametrize(
    ("content", "refused"),
    [
        # A stray NUL or two in a text list: read as text, wherever it is.
        (b"patient_id,diagnosis\r\nP1,DLBCL\r\nP2,DLB\0CL\r\nP3,tFL\r\n", False),
        (b"patient_id,diagnosis\r\nP1,DL\0BCL\r\nP2,DLB\0CL\r\n", False),
        ("patient_id,diagnosis\r\n" + "P,tFL\r\n" * 2000 + "P,\0\0\0\r\n", False),
        # UTF-16 and UTF-32 without a byte-order mark are full of NULs: not text.
        ("patient_id\nA\n".encode("utf-16-le"), True),
        ("patient_id\nA\n".encode("utf-16-be"), True),
        ("patient_id\nA\n".encode("utf-32-le"), True),
        (CHINESE_LIST.encode("utf-16-le"), True),
        ("住院号,诊断\r\n张三,复发\r\n李四,难治\r\n".encode("utf-16-le"), True),  # some 1 in 5
        (b"\x7fELF\x02\x01\x01" + bytes(64) + b"\x03\x00>\x00", True),  # a program
        (b"SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00\x02", True),
    ],
)
def test_a_list_is_not_text_only_when_nuls_are_more_than_a_stray_few(
    tmp_path: Path, content: bytes | str, refused: bool
) -> None:
    data = content.encode() if isinstance(content, str) else content
    code, output, out, _ = batch(tmp_path, data)
    if refused:
        assert code == 2
        assert "not a text file" in output
        assert not out.exists()
    else:
        assert code == 0, output
        rows = rows_of(out)
        assert len(rows) == data.count(b"\r\n") - 1  # one row per record
        errors = [row["errors"] for row in rows if "\\x00" in row["errors"]]
        assert len(errors) == len(
            {n for n, line in enumerate(data.split(b"\r\n")) if b"\0" in line}
        )


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_form_or_column_map_in_utf16_or_utf32_with_a_mark_is_read(
    tmp_path: Path, codec: str
) -> None:
    mark = {"utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    form = tmp_path / "form.yaml"
    form.write_bytes(mark + "patient_id: 张三-1\nlvef_percent: 35\n".encode(codec))
    run = CliRunner().invoke(app, ["check", str(form), "--as-of", "2026-10-15"])
    assert run.exit_code == 0, run.output
    assert "张三-1" in run.output
    columns = tmp_path / "columns.yaml"
    columns.write_bytes(mark + "住院号: patient_id\n".encode(codec))
    code, output, out, _ = batch(tmp_path, "住院号\r\nA-1\r\n".encode(), "--columns", str(columns))
    assert code == 0, output
    assert [row["patient_id"] for row in rows_of(out)] == ["A-1"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_form_that_is_not_utf8_or_a_folder_is_said_in_words(
    tmp_path: Path, lang: Language
) -> None:
    form = tmp_path / "form.yaml"
    form.write_bytes("patient_id: 张三\n".encode("gbk"))
    for path, said in [
        (form, M.TEXT_FILE_NOT_UTF8(lang, path=form)),
        (tmp_path, M.FORM_UNREADABLE(lang, path=tmp_path, reason=M.WRITE_IS_A_FOLDER(lang))),
    ]:
        run = CliRunner().invoke(app, ["check", str(path), "--lang", lang])
        assert run.exit_code == 2
        assert said in run.stderr
        assert "Error" not in run.stderr
