"""live sessions, polls, questions, groups

This revision first also created ``progress_events``; that table now belongs to the
class record's own chain (course/record/migrations, revision r0001), which adopts it in
stores made before and creates it in new ones. The end schema is the same either way.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("join_code", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("current_poll_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
        sa.UniqueConstraint("join_code", name=op.f("uq_live_sessions_join_code")),
    )
    op.create_table(
        "live_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("notebook_path", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_groups_session_id_live_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_groups")),
    )
    with op.batch_alter_table("live_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_groups_session_id"), ["session_id"], unique=False)

    op.create_table(
        "live_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("correct", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_polls_session_id_live_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_polls")),
        sa.UniqueConstraint("session_id", "key", name=op.f("uq_live_polls_session_id")),
    )
    with op.batch_alter_table("live_polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_polls_session_id"), ["session_id"], unique=False)

    op.create_table(
        "live_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["live_groups.id"], name=op.f("fk_live_participants_group_id_live_groups")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_participants_session_id_live_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_participants")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_live_participants_secret_hash")),
    )
    with op.batch_alter_table("live_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_participants_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "live_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participants.id"],
            name=op.f("fk_live_answers_participant_id_live_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["live_polls.id"], name=op.f("fk_live_answers_poll_id_live_polls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_answers")),
        sa.UniqueConstraint("poll_id", "participant_id", name=op.f("uq_live_answers_poll_id")),
    )
    with op.batch_alter_table("live_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_answers_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "live_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participants.id"],
            name=op.f("fk_live_questions_participant_id_live_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_questions_session_id_live_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_questions")),
    )
    with op.batch_alter_table("live_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_questions_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "live_votes",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participants.id"],
            name=op.f("fk_live_votes_participant_id_live_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["live_questions.id"],
            name=op.f("fk_live_votes_question_id_live_questions"),
        ),
        sa.PrimaryKeyConstraint("question_id", "participant_id", name=op.f("pk_live_votes")),
    )


def downgrade() -> None:
    op.drop_table("live_votes")
    with op.batch_alter_table("live_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_questions_session_id"))

    op.drop_table("live_questions")
    with op.batch_alter_table("live_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_answers_poll_id"))

    op.drop_table("live_answers")
    with op.batch_alter_table("live_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_participants_session_id"))

    op.drop_table("live_participants")
    with op.batch_alter_table("live_polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_polls_session_id"))

    op.drop_table("live_polls")
    with op.batch_alter_table("live_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_groups_session_id"))

    op.drop_table("live_groups")
    op.drop_table("live_sessions")
