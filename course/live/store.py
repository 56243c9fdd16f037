"""The live-session store: every table, the engine and the migrations, in one module.

SQLite (WAL) is the default because a workshop runs on one laptop with no database
server; PostgreSQL is the same schema by URL. Migrations ship in the package and run
through Alembic's Python API at startup, so no ``alembic`` command is needed on PATH.
Dialect-specific SQL (upserts, pragmas) lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    create_engine,
    event,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "course_live_alembic_version"
NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def now() -> datetime:
    return datetime.now(UTC)


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
    """Someone who joined with the code; only the hash of their cookie secret is stored."""

    __tablename__ = "live_participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(60), nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
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


class ProgressEvent(Base):
    """A learner's xAPI statement, keyed by its UUID so a resent batch is stored once."""

    __tablename__ = "progress_events"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    verb: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(60))
    object_name: Mapped[str] = mapped_column(String(300))
    course: Mapped[str | None] = mapped_column(String(60), nullable=True)
    module: Mapped[str | None] = mapped_column(String(60), nullable=True)
    success: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    scaled: Mapped[float | None] = mapped_column(Float, nullable=True)
    timestamp: Mapped[str] = mapped_column(String(40))
    body: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets the presenter read while answers are written; NORMAL sync survives a crash
    of the server process (not of the machine) at a fraction of FULL's cost."""
    cursor = connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class Store:
    """An engine, a session factory and the migrations for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {}
        if self.is_sqlite:
            options["connect_args"] = {"check_same_thread": False}
        else:
            options.update(pool_pre_ping=True, pool_size=8)
        self.engine: Engine = create_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._upserts: dict[tuple[Any, ...], Any] = {}

    def migrate(self) -> None:
        """Bring the schema to the newest revision shipped with the package."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on an exception."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def _insert(self, table: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def insert_new(self, session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows whose primary key is not stored yet; returns how many were new.

        RETURNING counts the new rows on both dialects (a driver's executemany
        rowcount is not reliable).
        """
        if not rows:
            return 0
        key = next(iter(table.__table__.primary_key.columns))
        statement = self._insert(table).on_conflict_do_nothing().returning(key)
        return len(session.execute(statement, list(rows)).all())

    def upsert(
        self,
        session: Session | Connection,
        table: Any,
        values: dict[str, Any] | Sequence[dict[str, Any]],
        keys: list[str],
        fields: list[str],
    ) -> None:
        """Insert rows, or update ``fields`` of the row with the same ``keys``, atomically.

        ``values`` is one row or a list of rows (run as one executemany, in order: a later
        row with the same keys wins). The statement is built once per table and columns.
        """
        rows = [values] if isinstance(values, dict) else list(values)
        if rows:
            connection = session.connection() if isinstance(session, Session) else session
            connection.execute(self._upsert(table, tuple(keys), tuple(fields)), rows)

    def _upsert(self, table: Any, keys: tuple[str, ...], fields: tuple[str, ...]) -> Any:
        cached = self._upserts.get((table, keys, fields))
        if cached is None:
            statement = self._insert(getattr(table, "__table__", table))
            cached = statement.on_conflict_do_update(
                index_elements=list(keys), set_={name: statement.excluded[name] for name in fields}
            )
            self._upserts[(table, keys, fields)] = cached
        return cached

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
