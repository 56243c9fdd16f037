"""Event credentials: signed, scoped to one subject's events, revocable; forgeries refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from course.identity.credentials import CredentialError, Credentials
from course.identity.keys import derived_key, master_secret


@pytest.fixture
def credentials(tmp_path: Path) -> Credentials:
    key = derived_key(master_secret(tmp_path / "secrets"), "event-credentials")
    return Credentials(key, tmp_path / "secrets" / "generations.json")


def reason(credentials: Credentials, token: str) -> str:
    with pytest.raises(CredentialError) as caught:
        credentials.verify(token)
    return caught.value.reason


def test_a_credential_verifies_to_its_subject(credentials: Credentials) -> None:
    token = credentials.issue("ada")
    found = credentials.verify(token)
    assert (found.subject, found.scope, found.generation) == ("ada", "events:post", 0)
    assert token.startswith("cev1.") and len(token) < 200


def test_changing_the_subject_breaks_the_signature(credentials: Credentials) -> None:
    prefix, payload, signature = credentials.issue("ada").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "grace"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert reason(credentials, f"{prefix}.{forged}.{signature}") == "bad signature"


def test_another_servers_credential_is_refused(credentials: Credentials, tmp_path: Path) -> None:
    other = Credentials(derived_key(b"another secret", "event-credentials"), tmp_path / "g.json")
    assert reason(credentials, other.issue("ada")) == "bad signature"


def test_a_key_of_another_purpose_cannot_sign_credentials(tmp_path: Path) -> None:
    master = master_secret(tmp_path / "s")
    assert derived_key(master, "signin-codes") != derived_key(master, "event-credentials")
    with pytest.raises(ValueError, match="unknown key purpose"):
        derived_key(master, "anything")


@pytest.mark.parametrize("token", ["", "cev1", "cev1.a.b.c", "jwt.a.b", "cev1.!!.x", "x" * 5000])
def test_malformed_tokens_are_refused(credentials: Credentials, token: str) -> None:
    assert reason(credentials, token) in ("malformed", "bad signature")


def test_revoking_a_subject_ends_its_old_credentials_only(credentials: Credentials) -> None:
    old_ada, grace = credentials.issue("ada"), credentials.issue("grace")
    assert credentials.revoke("ada") == 1
    assert reason(credentials, old_ada) == "revoked"
    assert credentials.verify(grace).subject == "grace"
    new_ada = credentials.verify(credentials.issue("ada"))
    assert (new_ada.subject, new_ada.generation) == ("ada", 1)


def test_a_revocation_made_elsewhere_reaches_a_running_server(
    credentials: Credentials, tmp_path: Path
) -> None:
    token = credentials.issue("ada")
    assert credentials.verify(token).subject == "ada"  # the server has read the state once
    command_line = Credentials(credentials._key, tmp_path / "secrets" / "generations.json")
    command_line.revoke("ada")
    assert reason(credentials, token) == "revoked"


def test_the_master_secret_is_private_and_stable(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    first = master_secret(folder)
    assert master_secret(folder) == first and len(first) == 32
    assert (folder / "course.key").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_credential_opens_only_its_scope(credentials: Credentials) -> None:
    with pytest.raises(CredentialError) as caught:
        credentials.verify(credentials.issue("ada"), scope="contents:read")
    assert caught.value.reason == "wrong scope"


def test_the_credential_comes_from_the_authorization_header() -> None:
    from course.identity.credentials import bearer

    assert bearer("Bearer cev1.a.b") == "cev1.a.b"
    assert bearer("token  cev1.a.b ") == "cev1.a.b"
    assert bearer("Basic dXNlcjpwdw==") == "" and bearer("") == ""


def test_the_actor_of_every_statement_is_replaced_by_the_credentials() -> None:
    from course.learn.events import as_learner

    body = [{"id": "1", "actor": {"name": "grace"}, "verb": {}}, "not a statement"]
    rewritten = as_learner(body, "ada")
    assert rewritten[0]["actor"]["account"]["name"] == "ada" and rewritten[0]["id"] == "1"
    assert rewritten[1] == "not a statement" and body[0]["actor"] == {"name": "grace"}
