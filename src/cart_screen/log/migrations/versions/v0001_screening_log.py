"""The screening log: screenings and decisions, append-only on both engines.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("screenings", "decisions")

_PG_FUNCTION = """
CREATE FUNCTION screening_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the screening log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("patient_id", sa.Text, nullable=True),
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
        sa.CheckConstraint(
            "outcome IN ('flagged', 'needs_info', 'no_flags', 'error')", name="outcome_known"
        ),
        sa.CheckConstraint("source IN ('check', 'form', 'web', 'batch')", name="source_known"),
    )
    op.create_index("ix_screenings_patient_id", "screenings", ["patient_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("screenings.id"), nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("physician", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.CheckConstraint(
            "decision IN ('proceed', 'not_now', 'more_info')", name="decision_known"
        ),
    )
    op.create_index("ix_decisions_screening_id", "decisions", ["screening_id"])
    op.create_index("ix_decisions_patient_id", "decisions", ["patient_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION screening_log_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION screening_log_append_only()"
            )
    else:
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the screening log is append-only: {action} on "
                    f"{table} is refused'); END"
                )
            # INSERT OR REPLACE (an "upsert") deletes the row it replaces without firing the
            # delete trigger: an insert naming a recorded row's id is refused before it can.
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
                f"BEGIN SELECT RAISE(ABORT, 'the screening log is append-only: REPLACE on "
                f"{table} is refused'); END"
            )
