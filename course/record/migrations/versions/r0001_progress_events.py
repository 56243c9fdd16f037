"""progress events, owned by the class record

Until this chain existed, revision 0001 of the live chain (course/live/migrations)
created ``progress_events`` together with the live tables. A store made then already
has the table, with learners' events in it: this revision adopts it as it is (same
columns, same index), and creates it only in a store that does not have it yet.

Revision ID: r0001
Revises:
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("progress_events"):
        return
    op.create_table(
        "progress_events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("verb", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("object_name", sa.String(length=300), nullable=False),
        sa.Column("course", sa.String(length=60), nullable=True),
        sa.Column("module", sa.String(length=60), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("scaled", sa.Float(), nullable=True),
        sa.Column("timestamp", sa.String(length=40), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_events")),
    )
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_events_actor"), ["actor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_events_actor"))
    op.drop_table("progress_events")
