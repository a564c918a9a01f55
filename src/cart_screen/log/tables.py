"""The screening log's tables, one schema for SQLite and PostgreSQL (SQLAlchemy Core).

Two tables, both append-only (the migration adds the triggers that refuse UPDATE, DELETE and, on
PostgreSQL, TRUNCATE): `screenings`, one row per screening stored whole, and `decisions`, the
physician's decision, each against the screening it was made on. Forms and results are JSON text
(not JSONB): the bytes stored are the bytes produced, the same on both engines.
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
