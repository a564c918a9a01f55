"""The screening log's tables, one schema for SQLite and PostgreSQL (SQLAlchemy Core).

Four tables, all append-only (the migrations add the triggers that refuse UPDATE, DELETE and,
on PostgreSQL, TRUNCATE): `screenings`, one row per screening stored whole, and `decisions`, the
physician's decision, each against the screening it was made on; for a list screened with
`batch --log`, `screened_lists` holds once what all its results share and `list_parts` each
distinct part a record's result has of its own, so that a list's screening row holds only the
numbers of its parts (see log/lists.py). Forms and results are JSON text (not JSONB): the bytes
stored are the bytes produced, the same on both engines.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

SOURCES = ("check", "form", "web", "batch")
"""Where a screening came from: the command (or web page) that screened it."""
DECISIONS = ("proceed", "not_now", "more_info")
"""What a physician may decide (SPEC §9)."""
OUTCOMES = ("flagged", "needs_info", "no_flags", "error")


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"{column}_known")


screened_lists = sa.Table(
    "screened_lists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("shared", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=False),
)
"""A list screened with `batch --log`: what all its results share (result.shared_part) and
its form's column names, once."""

list_parts = sa.Table(
    "list_parts",
    metadata,
    sa.Column("list_id", sa.Integer, sa.ForeignKey("screened_lists.id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("part", sa.Text, nullable=False),
)
"""Each distinct part of a list's results that is a record's own (an item's status and reason,
an error), numbered within its list."""

screenings = sa.Table(
    "screenings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("patient_id", sa.Text, nullable=True, index=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("screening_date", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("source_file", sa.Text, nullable=True),
    sa.Column("source_row", sa.Integer, nullable=True),
    sa.Column("ruleset_id", sa.Text, nullable=False),
    sa.Column("ruleset_sha256", sa.String(64), nullable=False),
    sa.Column("site_sha256", sa.String(64), nullable=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("form", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("list_id", sa.Integer, sa.ForeignKey("screened_lists.id"), nullable=True),
    _one_of("outcome", OUTCOMES),
    _one_of("source", SOURCES),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "screening_id", sa.Integer, sa.ForeignKey("screenings.id"), nullable=False, index=True
    ),
    sa.Column("patient_id", sa.Text, nullable=False, index=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("physician", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    _one_of("decision", DECISIONS),
)
