"""What a screened list adds up to: each chunk's tally, the duplicate patient ids, the summary.

Made from verdicts only (never from how the list was read or is written), so that renderers
(render.py) can show a summary without the screening modules.
"""

from __future__ import annotations

import bisect
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from cart_screen.evaluate import Verdict
from cart_screen.files import owned, remove_abandoned
from cart_screen.result import Outcome, outcome_of
from cart_screen.site import Site


@dataclass
class Tally:
    """What a chunk adds to the summary: outcomes, each rule's flagged and needs-info counts,
    and the patient ids seen."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    """Each rule's flagged count: the label's rules and the advisory checks (ids `advisory.*`)."""
    needs_info: Counter[str] = field(default_factory=Counter)
    advised: Counter[Outcome] = field(default_factory=Counter)
    """Records by their advisory checks alone, counted apart from the outcome: with an advisory
    flag (`flagged`), else with one needing information (`needs_info`), else `no_flags`."""
    patient_ids: list[str] = field(default_factory=list)
    unread: int = 0
    """Records with outcome no_flags that hold a value that could not be read (its field used by
    no rule of the label, or the screening date, then today's): a green row that needs a look."""

    def add(
        self, verdict: Verdict, rule_ids: Sequence[str], advisory_ids: Sequence[str] = ()
    ) -> None:
        """Count one record's verdict."""
        self.outcomes[verdict.outcome] += 1
        for rule_id, status in zip(rule_ids, verdict.statuses, strict=False):
            if status == "flagged":
                self.flagged[rule_id] += 1
            elif status == "needs_info":
                self.needs_info[rule_id] += 1
        if verdict.advisory is not None:
            for rule_id, status in zip(advisory_ids, verdict.advisory, strict=False):
                if status == "flagged":
                    self.flagged[rule_id] += 1
                elif status == "needs_info":
                    self.needs_info[rule_id] += 1
            self.advised[outcome_of(verdict.advisory)] += 1
        if verdict.patient_id is not None:
            self.patient_ids.append(verdict.patient_id)
        if verdict.outcome == "no_flags" and verdict.errors:
            self.unread += 1


class DuplicateIds:
    """Finds the patient ids that occur more than once, in memory that does not grow with the list.

    Each id goes, by its hash, to one of 256 partitions, spilled to temporary files in a private
    folder beside the results; at the end each partition — about 1/256 of the ids — is read back
    on its own to count its ids. The folder is removed when done, or when the run fails; one a
    killed run left is removed by the next run that makes one there (files.remove_abandoned).

    Ids are gathered into batches, each sorted by hash, so that each partition's share is one slice
    (no Python loop over the ids); a partition stores one id a line (an id holding a line break or
    backslash is escaped).
    """

    PARTITIONS = 256
    SPILL_AT = 1 << 13
    """Characters a partition holds in memory before it is appended to its file: all of them
    together hold at most some 2 MB, and a list of up to ~150,000 ids is counted without a file
    (256 files made and read back took ~0.07 s at the end of a 100,000-record batch)."""
    BATCH = 1 << 13
    """Ids gathered before they are partitioned (each partitioning visits every partition)."""
    _BOUNDS = tuple(-(1 << 63) + (p + 1) * (1 << 56) for p in range(PARTITIONS))
    """The hash each partition stays below (hashes are signed 64-bit)."""
    SCRATCH = ".cart-screen-ids-"
    """How the scratch folder's name starts (then its owner: see files.owned)."""

    def __init__(self, scratch: Path | None = None):
        self._scratch = scratch
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._buffers: list[list[str]] = [[] for _ in range(self.PARTITIONS)]
        self._sizes = [0] * self.PARTITIONS
        self._waiting: list[str] = []

    def add(self, patient_id: str) -> None:
        """Count one id."""
        self.add_all([patient_id])

    def add_all(self, patient_ids: list[str]) -> None:
        """Count a chunk's ids (partitioned a batch of ids at a time)."""
        self._waiting.extend(patient_ids)
        if len(self._waiting) >= self.BATCH:
            self._partition()

    def _partition(self) -> None:
        patient_ids, self._waiting = self._waiting, []
        if not patient_ids:
            return
        lines = "\n".join(patient_ids)
        if "\\" in lines or lines.count("\n") != len(patient_ids) - 1:
            patient_ids = [_escape(patient_id) for patient_id in patient_ids]
        ordered = sorted(patient_ids, key=hash)
        hashes = sorted(map(hash, patient_ids))
        start = 0
        for partition, bound in enumerate(self._BOUNDS):
            end = bisect.bisect_left(hashes, bound, start)
            if end > start:
                text = "\n".join(ordered[start:end]) + "\n"
                self._buffers[partition].append(text)
                self._sizes[partition] += len(text)
                if self._sizes[partition] >= self.SPILL_AT:
                    self._spill(partition)
                start = end

    def open(self) -> None:
        """Make the scratch folder now (else at the first spill)."""
        if self._folder is None:
            remove_abandoned(self._scratch or Path(tempfile.gettempdir()), self.SCRATCH)
            self._folder = tempfile.TemporaryDirectory(
                prefix=owned(self.SCRATCH), dir=self._scratch
            )

    def _path(self, partition: int) -> Path:
        self.open()
        assert self._folder is not None
        return Path(self._folder.name) / f"{partition:03d}"

    def _open(self, partition: int, mode: str) -> IO[str]:
        path = self._path(partition)
        return path.open(mode, encoding="utf-8", errors="surrogateescape", newline="")

    def _spill(self, partition: int) -> None:
        with self._open(partition, "a") as spill:
            spill.writelines(self._buffers[partition])
        self._buffers[partition], self._sizes[partition] = [], 0

    def counts(self) -> dict[str, int]:
        """Each id seen more than once, with how many times; then the scratch folder is removed."""
        found: dict[str, int] = {}
        try:
            self._partition()
            for partition in range(self.PARTITIONS):
                text = "".join(self._buffers[partition])
                if self._folder is not None and self._path(partition).exists():
                    with self._open(partition, "r") as spilled:
                        text = spilled.read() + text
                seen = Counter(text.split("\n"))
                seen.pop("", None)  # after the last line break
                found.update((_unescape(key), n) for key, n in seen.items() if n > 1)
        finally:
            self.close()
        return dict(sorted(found.items()))

    def close(self) -> None:
        """Remove the scratch folder (safe to call twice)."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self._buffers = [[] for _ in range(self.PARTITIONS)]
        self._sizes = [0] * self.PARTITIONS
        self._waiting = []


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: "\n" if m[1] == "n" else m[1], text)


class SheetRead(Protocol):
    """What a workbook reader says of the sheet it read (workbook.SheetFacts)."""

    @property
    def kind(self) -> str: ...
    @property
    def sheet(self) -> str: ...
    @property
    def header_row(self) -> int: ...
    @property
    def title_rows(self) -> int: ...
    @property
    def empty_rows(self) -> int: ...
    @property
    def hidden(self) -> bool: ...


@dataclass(frozen=True)
class ListSource:
    """How a list was read, as its summary tells it; the reader fills it in."""

    encoding: str | None = None
    """The text encoding a CSV list was read in, as the user is told it."""
    encoding_detected: bool = False
    """Whether that encoding was detected (else asked for)."""
    kind: str = "csv"
    """What the file held: `csv`, or the kind of workbook (`xlsx`, `xls`, `ods`, `xlsb`)."""
    misnamed: str | None = None
    """The file's suffix when it named another kind than the content (a CSV named .xlsx)."""
    sheet: str | None = None
    """The sheet read, for a workbook."""
    header_row: int | None = None
    """The sheet's row the header was found in."""
    title_rows: int = 0
    """Rows with something in them above the header, ignored."""
    empty_rows: int = 0
    """Empty rows below the header, skipped."""
    sheet_hidden: bool = False
    """Whether the sheet read is hidden in the workbook (named with --sheet)."""

    @classmethod
    def of_sheet(cls, read: SheetRead, misnamed: str | None = None) -> ListSource:
        """How a workbook's sheet was read (ask once its rows are read: empty rows are counted
        as they go by)."""
        return cls(
            kind=read.kind,
            misnamed=misnamed,
            sheet=read.sheet,
            header_row=read.header_row,
            title_rows=read.title_rows,
            empty_rows=read.empty_rows,
            sheet_hidden=read.hidden,
        )


@dataclass
class Summary:
    """Counts over a list, like a cohort attrition table: outcomes and each rule's statuses.

    Use it as a context manager: duplicate detection keeps scratch files until `finish`.
    """

    rule_ids: tuple[str, ...]
    records: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    needs_info: Counter[str] = field(default_factory=Counter)
    advisory_ids: tuple[str, ...] = ()
    """The advisory checks that ran (none when the site turned them off): counted apart."""
    advised: Counter[Outcome] = field(default_factory=Counter)
    """Records by their advisory checks alone (see Tally.advised)."""
    unread: int = 0
    """Records with no flag but a value that could not be read (see Tally.unread)."""
    ignored_columns: tuple[str, ...] = ()
    unmatched_columns: tuple[str, ...] = ()
    """The column map's entries that matched no column of the list (see Columns.unmatched)."""
    duplicates: dict[str, int] = field(default_factory=dict)
    """Each patient id seen more than once, with how many times (filled in by `finish`)."""
    show_duplicates: bool = False
    """Whether the summary may name the duplicate ids (`--show-duplicates`); else it counts them:
    a summary goes to stderr, and from there to cron mails and CI logs."""
    source: ListSource | None = None
    """How the list was read (its reader says)."""
    screened_with: tuple[str, str, Site] | None = None
    """The ruleset's id and sha256 and the site settings the list was screened with."""
    scratch: Path | None = None
    _ids: DuplicateIds = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ids = DuplicateIds(self.scratch)

    def __enter__(self) -> Summary:
        self._ids.open()
        return self

    def __exit__(self, *_: object) -> None:
        self._ids.close()

    def add(self, tally: Tally) -> None:
        """Count a chunk's tally."""
        self.records += sum(tally.outcomes.values())
        self.outcomes.update(tally.outcomes)
        self.flagged.update(tally.flagged)
        self.needs_info.update(tally.needs_info)
        self.advised.update(tally.advised)
        self.unread += tally.unread
        self._ids.add_all(tally.patient_ids)

    def finish(self) -> Summary:
        """Find the duplicate patient ids, once every record is in."""
        self.duplicates = self._ids.counts()
        return self

    def as_json(self) -> dict[str, Any]:
        """The same figures for `--summary FILE.json`."""
        outcomes: tuple[Outcome, ...] = ("flagged", "needs_info", "no_flags", "error")
        return {
            "records": self.records,
            "outcomes": {name: self.outcomes[name] for name in outcomes},
            "no_flags_with_unread_values": self.unread,
            "rules": {
                rule_id: {"flagged": self.flagged[rule_id], "needs_info": self.needs_info[rule_id]}
                for rule_id in self.rule_ids
            },
            "advisory": {
                "checked": bool(self.advisory_ids),
                "records": {
                    "flagged": self.advised["flagged"],
                    "needs_info": self.advised["needs_info"],
                    "no_flags": self.advised["no_flags"],
                },
                "rules": {
                    rule_id: {
                        "flagged": self.flagged[rule_id],
                        "needs_info": self.needs_info[rule_id],
                    }
                    for rule_id in self.advisory_ids
                },
            },
            "duplicates": {
                "patient_ids": len(self.duplicates),
                "records": sum(self.duplicates.values()),
            },
            **({"duplicate_patient_ids": self.duplicates} if self.show_duplicates else {}),
            "ignored_columns": list(self.ignored_columns),
            "unmatched_column_map": list(self.unmatched_columns),
            "encoding": self.source.encoding if self.source else None,
            "encoding_detected": self.source.encoding_detected if self.source else None,
            **self._workbook(),
            **self._provenance(),
        }

    def _workbook(self) -> dict[str, Any]:
        """What was read of a workbook (and what the file was, when its name said otherwise)."""
        read = self.source
        if read is None:
            return {}
        figures: dict[str, Any] = {"read_as": read.kind, "misnamed": read.misnamed}
        if read.sheet is not None:
            figures["workbook"] = {
                "sheet": read.sheet,
                "header_row": read.header_row,
                "title_rows": read.title_rows,
                "empty_rows": read.empty_rows,
                "hidden": read.sheet_hidden,
            }
        return figures

    def _provenance(self) -> dict[str, Any]:
        """Which rules and site settings produced the figures (so OUT.csv can be traced)."""
        if self.screened_with is None:
            return {}
        ruleset_id, sha256, site = self.screened_with
        return {
            "ruleset": {"id": ruleset_id, "sha256": sha256},
            "site": None if site.empty else {"name": site.name, "sha256": site.sha256},
        }
