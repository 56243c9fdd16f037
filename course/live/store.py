"""The live-session store: the live tables, their migrations and the live-only queries.

The engine, the SQLite pragmas, upserts and the migration runner are the course
database's (``course.record.store.Database``): the live tables share one database with
the class record's progress events, and each keeps its own Alembic chain, migrated
record first. Dialect-specific SQL lives in ``course.record.store`` and here only.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from course.record.store import EVENTS, NAMES, Database, Migrations, now
from course.record.store import sqlite_url as sqlite_url  # the server and tests name it here

VERSION_TABLE = "course_live_alembic_version"
LIVE = Migrations(Path(__file__).parent / "migrations", VERSION_TABLE)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMES)


class LiveSession(Base):
    """One live meeting of a module: joinable by code while ``state`` is 'open'."""

    __tablename__ = "live_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="open")
    current_poll_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Group(Base):
    """A group of participants; ``notebook_path`` is filled by the group-notebook module."""

    __tablename__ = "live_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    notebook_path: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Participant(Base):
    """Someone who joined with the code; only the hash of their cookie secret is stored.

    ``learner`` is their roster id when they joined signed in as a learner (and not
    anonymously): readiness counts participants by it.
    """

    __tablename__ = "live_participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(60), nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    learner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("live_groups.id"), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Poll(Base):
    """A question with a kind (single, multiple, numeric, text); 'draft' → 'open' → 'closed'."""

    __tablename__ = "live_polls"
    __table_args__ = (UniqueConstraint("session_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    question: Mapped[str] = mapped_column(String(500))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    correct: Mapped[Any] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # a text poll's words the instructor moderated: {word: "approved" | "hidden"}
    word_moderation: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)


class Answer(Base):
    """One participant's current answer to one poll (replaced while the poll is open)."""

    __tablename__ = "live_answers"
    __table_args__ = (UniqueConstraint("poll_id", "participant_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("live_polls.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("live_participants.id"))
    value: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Question(Base):
    """A question in the session's queue; ``votes`` mirrors the rows of ``Vote``."""

    __tablename__ = "live_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_participants.id"), nullable=True
    )
    text: Mapped[str] = mapped_column(String(500))
    votes: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Vote(Base):
    """An upvote: the primary key makes it once per participant and question."""

    __tablename__ = "live_votes"
    question_id: Mapped[int] = mapped_column(ForeignKey("live_questions.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("live_participants.id"), primary_key=True
    )


class Store(Database):
    """The course server's database: the record's chain, then the live chain."""

    chains: ClassVar[tuple[Migrations, ...]] = (EVENTS, LIVE)

    def add_vote(self, session: Session, question_id: int, participant_id: int) -> bool:
        """Record an upvote once; True when it was new (the count went up)."""
        added = self.insert_new(
            session, Vote, [{"question_id": question_id, "participant_id": participant_id}]
        )
        if added:
            session.execute(
                update(Question).where(Question.id == question_id).values(votes=Question.votes + 1)
            )
        return bool(added)
