"""Accounts through the database, on SQLite and PostgreSQL: users, log-in, sessions, the rate limit."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from notifier import db
from notifier.accounts.passwords import check_password, hash_password, needs_rehash
from notifier.accounts.store import (
    ROLES,
    LoggedIn,
    SessionUser,
    add_user,
    disable_user,
    list_users,
    log_in,
    log_out,
    reset_password,
    session_user,
)
from notifier.errors import ConflictError, InvalidInputError, NotFoundError, WrongStateError
from notifier.models import AuditEvent, LoginAttempt, User, WebSession

PASSWORD = "correct horse battery"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
HERE = "10.0.0.1"


@pytest.fixture
def session(db_url):
    with db.session_for(db_url) as session:
        yield session


@pytest.fixture
def alice(session):
    return add_user(session, "alice", "staff", PASSWORD, actor="root")


def test_passwords_are_hashed_with_argon2id_and_checked():
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert hash_password(PASSWORD) != hashed  # salted
    assert check_password(hashed, PASSWORD)
    assert not check_password(hashed, PASSWORD + "!")
    assert not check_password("not a hash", PASSWORD)
    assert not needs_rehash(hashed)
    assert needs_rehash(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD))


def test_add_user_and_what_is_refused(session, alice):
    assert (alice.name, alice.role, alice.disabled, alice.last_login_at) == ("alice", "staff", False, None)
    stored = session.exec(select(User).where(User.name == "alice")).one()
    assert check_password(stored.password_hash, PASSWORD) and PASSWORD not in stored.password_hash
    with pytest.raises(ConflictError, match="exists already"):
        add_user(session, "Alice", "admin", PASSWORD, actor="root")  # names are unique whatever their case
    with pytest.raises(InvalidInputError, match="unknown role 'boss'"):
        add_user(session, "bob", "boss", PASSWORD, actor="root")
    with pytest.raises(InvalidInputError, match="shorter than 12") as short:
        add_user(session, "bob", "staff", "eleven char", actor="root")
    assert "eleven char" not in str(short.value)
    for odd in ("", "   ", "-bob", "bob smith", "bo\tb", "bøb", "b" * 65):
        with pytest.raises(InvalidInputError, match="user name must be"):
            add_user(session, odd, "staff", PASSWORD, actor="root")
    assert add_user(session, " j.smith@office ", "Finance", PASSWORD, actor="root").as_dict()["role"] == "finance"
    assert [u.name for u in list_users(session)] == ["alice", "j.smith@office"]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "user.add").order_by(AuditEvent.id)).all()
    assert [(e.actor, e.subject, e.details) for e in events] == [("root", "web_user", {"role": "staff"}), ("root", "web_user", {"role": "finance"})]


def test_log_in_and_the_session_it_opens(session, alice):
    logged_in = log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    assert isinstance(logged_in, LoggedIn) and len(logged_in.token) >= 43 and logged_in.csrf_token != logged_in.token
    assert logged_in.user.name == "alice" and logged_in.user.last_login_at == T0
    assert logged_in.token not in repr(logged_in) and logged_in.token not in str(logged_in.as_dict())
    stored = session.exec(select(WebSession)).one()
    assert stored.token_hash == hashlib.sha256(logged_in.token.encode()).hexdigest()  # the token itself is never stored
    holder = session_user(session, logged_in.token, now=T0 + timedelta(minutes=5))
    assert holder == SessionUser("alice", "staff", logged_in.csrf_token, stored.id)
    assert session_user(session, "no such token", now=T0) is None and session_user(session, None) is None
    assert log_in(session, "ALICE", PASSWORD, address=HERE, now=T0).user.name == "alice"  # names whatever their case
    assert list_users(session)[0].as_dict() == {"name": "alice", "role": "staff", "disabled": False,
                                                "created_at": alice.created_at.isoformat(), "last_login_at": T0.isoformat()}
    log_out(session, logged_in.token)
    assert session_user(session, logged_in.token, now=T0) is None
    log_out(session, logged_in.token)  # twice: nothing happens


def test_wrong_password_and_unknown_name_read_alike(session, alice):
    with pytest.raises(InvalidInputError) as wrong:
        log_in(session, "alice", "not the password", address=HERE, now=T0)
    with pytest.raises(InvalidInputError) as unknown:
        log_in(session, "mallory", PASSWORD, address=HERE, now=T0)
    with pytest.raises(InvalidInputError) as odd:
        log_in(session, "not a name!", "x" * 5000, address=HERE, now=T0)
    assert str(wrong.value) == str(unknown.value) == str(odd.value) and wrong.value.what == "wrong user name or password"
    assert wrong.value.as_dict() == unknown.value.as_dict()
    attempts = session.exec(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [(a.name, a.address, a.ok) for a in attempts] == [("alice", HERE, False), ("mallory", HERE, False), ("not a name!", HERE, False)]
    assert session.exec(select(WebSession)).all() == []


def test_rate_limit_per_name(session, alice):
    for minute in range(5):
        with pytest.raises(InvalidInputError):
            log_in(session, "alice", "guess number %d" % minute, address=f"10.0.1.{minute}", now=T0 + timedelta(minutes=minute))
    with pytest.raises(WrongStateError, match="too many failed log-ins; wait 15 minutes") as limited:
        log_in(session, "Alice", PASSWORD, address=HERE, now=T0 + timedelta(minutes=6))  # even the right password
    assert PASSWORD not in str(limited.value) and "wait 15 minutes" in limited.value.what
    with pytest.raises(WrongStateError):
        log_in(session, "alice", "another guess", address=HERE, now=T0 + timedelta(minutes=7))
    # the refused tries count too: 15 minutes after the last one, the name may try again
    assert log_in(session, "alice", PASSWORD, address=HERE, now=T0 + timedelta(minutes=23)).user.name == "alice"
    # a success starts the count again
    for second in range(5):
        with pytest.raises(InvalidInputError):
            log_in(session, "alice", "wrong again", address=HERE, now=T0 + timedelta(minutes=24, seconds=second))
    with pytest.raises(WrongStateError):
        log_in(session, "alice", PASSWORD, address=HERE, now=T0 + timedelta(minutes=25))
    assert len(session.exec(select(LoginAttempt)).all()) == 14  # every attempt recorded


def test_unknown_names_are_limited_too(session):
    for _ in range(5):
        with pytest.raises(InvalidInputError):
            log_in(session, "ghost", "guess", address=HERE, now=T0)
    with pytest.raises(WrongStateError):
        log_in(session, "ghost", "guess", address=HERE, now=T0)


def test_rate_limit_per_address(session, alice):
    for n in range(20):
        with pytest.raises(InvalidInputError):
            log_in(session, f"user{n}", "guess", address="192.0.2.7", now=T0 + timedelta(seconds=n))
    with pytest.raises(WrongStateError):
        log_in(session, "alice", PASSWORD, address="192.0.2.7", now=T0 + timedelta(minutes=1))
    assert log_in(session, "alice", PASSWORD, address="192.0.2.8", now=T0 + timedelta(minutes=1)).user.name == "alice"
    assert log_in(session, "alice", PASSWORD, address="192.0.2.7", now=T0 + timedelta(minutes=17)).user.name == "alice"


def test_disabling_ends_sessions_and_log_in(session, alice):
    first = log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    second = log_in(session, "alice", PASSWORD, address="10.0.0.2", now=T0)
    row = disable_user(session, "alice", actor="root")
    assert row.disabled and list_users(session)[0].disabled
    assert session_user(session, first.token, now=T0) is None and session_user(session, second.token, now=T0) is None
    assert session.exec(select(WebSession)).all() == []
    with pytest.raises(InvalidInputError, match="^wrong user name or password"):
        log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    assert disable_user(session, "alice", actor="root").disabled  # twice: nothing changes
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "user.disable")).all()
    assert [(e.actor, e.details) for e in events] == [("root", {"sessions_ended": 2})]
    with pytest.raises(NotFoundError, match="no user named 'nobody'"):
        disable_user(session, "nobody", actor="root")


def test_a_session_of_a_user_disabled_behind_its_back_ends(session, alice):
    logged_in = log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    user = session.exec(select(User)).one()
    user.disabled = True
    session.add(user)
    session.commit()
    assert session_user(session, logged_in.token, now=T0) is None
    assert session.exec(select(WebSession)).all() == []


def test_reset_password_ends_sessions(session, alice):
    logged_in = log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    with pytest.raises(InvalidInputError, match="shorter than 12"):
        reset_password(session, "alice", "short", actor="root")
    assert session_user(session, logged_in.token, now=T0) is not None  # a refused reset changes nothing
    assert reset_password(session, "alice", "a brand new passphrase", actor="admin").name == "alice"
    assert session_user(session, logged_in.token, now=T0) is None
    with pytest.raises(InvalidInputError):
        log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    assert log_in(session, "alice", "a brand new passphrase", address=HERE, now=T0).user.name == "alice"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.reset")).one()
    assert (event.actor, event.details) == ("admin", {"sessions_ended": 1})
    with pytest.raises(NotFoundError):
        reset_password(session, "nobody", "a brand new passphrase", actor="root")


def test_no_password_or_hash_in_the_audit_log(session, alice):
    reset_password(session, "alice", "a brand new passphrase", actor="root")
    disable_user(session, "alice", actor="root")
    hashed = session.exec(select(User)).one().password_hash
    for event in session.exec(select(AuditEvent)).all():
        text = f"{event.actor} {event.details}"
        assert PASSWORD not in text and "a brand new passphrase" not in text and hashed not in text and "alice" not in text


def test_sessions_end_after_8_idle_hours(session, alice):
    token = log_in(session, "alice", PASSWORD, address=HERE, now=T0).token
    assert session_user(session, token, now=T0 + timedelta(hours=7, minutes=59)) is not None  # kept alive
    assert session_user(session, token, now=T0 + timedelta(hours=15, minutes=58)) is not None
    assert session_user(session, token, now=T0 + timedelta(hours=23, minutes=59)) is None  # 8 hours since it was last seen
    assert session.exec(select(WebSession)).all() == []


def test_sessions_end_after_24_hours_however_busy(session, alice):
    token = log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    for hour in range(1, 24):
        assert session_user(session, token.token, now=T0 + timedelta(hours=hour)) is not None
    assert session_user(session, token.token, now=T0 + timedelta(hours=24)) is None


def test_last_seen_is_written_at_most_once_a_minute(session, alice):
    token = log_in(session, "alice", PASSWORD, address=HERE, now=T0).token

    def last_seen():
        session.expire_all()
        return session.exec(select(WebSession)).one().last_seen_at

    session_user(session, token, now=T0 + timedelta(seconds=59))
    assert last_seen() == T0
    session_user(session, token, now=T0 + timedelta(seconds=61))
    assert last_seen() == T0 + timedelta(seconds=61)


def test_log_in_rehashes_an_old_hash(session, alice):
    user = session.exec(select(User)).one()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    session.add(user)
    session.commit()
    log_in(session, "alice", PASSWORD, address=HERE, now=T0)
    session.expire_all()
    stored = session.exec(select(User)).one().password_hash
    assert not needs_rehash(stored) and check_password(stored, PASSWORD)


def test_roles():
    assert ROLES == ("staff", "finance", "admin")


def test_passwords_are_hashed_with_the_rfc_9106_parameters_outside_the_tests(cheap_password_hashes):
    """The suite swaps in cheap parameters (tests/conftest.py); the hasher notifier itself uses is argon2's default."""
    from argon2 import PasswordHasher, extract_parameters

    real = cheap_password_hashes.hash("correct horse battery")
    assert extract_parameters(real) == extract_parameters(PasswordHasher().hash("x"))
    assert real.startswith("$argon2id$") and cheap_password_hashes.verify(real, "correct horse battery")
