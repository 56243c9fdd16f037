"""live participants: the roster id of a participant who signed in as a learner

Readiness counts participants by their learner id (issue 12), no longer by the
display name they typed; join-code participants without a roster identity keep NULL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("live_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("learner", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("live_participants", schema=None) as batch_op:
        batch_op.drop_column("learner")
