"""live polls: the instructor's moderation of a text poll's words

Words of a text poll reach the projector only once the instructor approved them
(issue 13, ``course.live.words``); a poll keeps {word: "approved" | "hidden"}.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("live_polls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("word_moderation", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("live_polls", schema=None) as batch_op:
        batch_op.drop_column("word_moderation")
