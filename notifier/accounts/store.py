"""Users of the staff web app, their sign-ins and sessions: the services the CLI and the web app share.

A session is a row keyed by the SHA-256 of a random token; the token itself only ever goes to
the browser (in its cookie), so a copy of the database opens no session. Ending a session
deletes its row: logging out, disabling the user or resetting their password.

Failed log-ins are answered alike whether the name exists or not (same words, and the time
of one password check either way). Every attempt is recorded; after too many failures for one
name or from one address in a quarter of an hour, log-ins are refused until the window has
passed. Audit events name the actor and the user's id, never a password or a hash.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.accounts.passwords import check_no_one, check_password, hash_password, needs_rehash
from notifier.errors import ConflictError, InvalidInputError, NotFoundError, WrongStateError
from notifier.models import AuditEvent, LoginAttempt, User, WebSession, utcnow

ROLES = ("staff", "finance", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # a longer "password" is a mistake (or an attempt to keep the server busy)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")  # ASCII: no look-alike letters from other scripts in the audit log
NAME_RULE = "1 to 64 letters (a-z), digits, '.', '_', '@' or '-', starting with a letter or digit"

IDLE = timedelta(hours=8)  # a session unused this long ends
LIFETIME = timedelta(hours=24)  # and none lasts longer than this
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
WINDOW = timedelta(minutes=15)  # the rate limit counts failures this far back
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
WRONG = "wrong user name or password"


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserRow:
        return cls(user.name, user.role, user.disabled, user.created_at, user.last_login_at)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


@dataclass(frozen=True)
class LoggedIn:
    """A new session: `token` goes in the cookie, `csrf_token` in every form. Neither is in repr() or as_dict()."""

    token: str = field(repr=False)
    csrf_token: str = field(repr=False)
    user: UserRow

    def as_dict(self) -> dict:
        return {"user": self.user.as_dict()}


@dataclass(frozen=True)
class SessionUser:
    """Who a request's session belongs to."""

    name: str
    role: str
    csrf_token: str = field(repr=False)
    session_id: int

    def as_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "session_id": self.session_id}


def add_user(session: Session, name: str, role: str, password: str, *, actor: str) -> UserRow:
    """A new user who can log in at once; commits. Names are unique without regard to case."""
    name, role = _valid_name(name), _valid_role(role)
    _valid_password(password)
    if _find(session, name) is not None:
        raise ConflictError(f"a user named '{name}' exists already", todo="choose another name, or reset that user's password")
    now = utcnow()
    user = User(name=name, role=role, password_hash=hash_password(password), created_at=now, updated_at=now)
    session.add(user)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        raise ConflictError(f"a user named '{name}' exists already", todo="choose another name, or reset that user's password") from None
    _audit(session, user, "add", actor, {"role": role})
    row = UserRow.of(user)
    session.commit()
    return row


def disable_user(session: Session, name: str, *, actor: str) -> UserRow:
    """The user can no longer log in, and every session they have ends now; commits. Disabling twice changes nothing."""
    user = _get(session, name)
    ended = _end_sessions(session, user)
    if not user.disabled or ended:
        user.disabled, user.updated_at = True, utcnow()
        session.add(user)
        _audit(session, user, "disable", actor, {"sessions_ended": ended})
    row = UserRow.of(user)
    session.commit()
    return row


def reset_password(session: Session, name: str, password: str, *, actor: str) -> UserRow:
    """A new password for the user; every session they have ends (log in again with the new one); commits.

    A disabled user stays disabled.
    """
    _valid_password(password)
    user = _get(session, name)
    ended = _end_sessions(session, user)
    user.password_hash, user.updated_at = hash_password(password), utcnow()
    session.add(user)
    _audit(session, user, "reset", actor, {"sessions_ended": ended})
    row = UserRow.of(user)
    session.commit()
    return row


def list_users(session: Session) -> list[UserRow]:
    """Every user, disabled ones too, by name."""
    return [UserRow.of(user) for user in session.exec(select(User).order_by(sa.func.lower(User.name), User.id))]


def log_in(session: Session, name: str, password: str, *, address: str, now: datetime | None = None) -> LoggedIn:
    """A new session for the user whose name and password these are; commits, the attempt recorded either way.

    InvalidInputError, with the same words, for an unknown name, a wrong password or a disabled
    user. WrongStateError for any try after 5 failures for this name (since its last success) or
    20 from this address within the last 15 minutes: nothing is checked then, not even a right
    password, and the refused try counts as a failure too (trying on keeps the wait going).
    """
    now = now or utcnow()
    key, address = _attempt_key(name), (address or "")[:64]
    if _limited(session, key, address, now):
        _refuse(session, key, address, now, WrongStateError(f"too many failed log-ins; wait {WINDOW.seconds // 60} minutes, then try again"))
    user = _find(session, name.strip()) if NAME.fullmatch(name.strip()) else None
    too_long = len(password) > MAX_PASSWORD
    if user is None or too_long:
        ok = check_no_one(password[:MAX_PASSWORD])
    else:
        ok = check_password(user.password_hash, password) and not user.disabled
    if not ok:
        _refuse(session, key, address, now, InvalidInputError(WRONG, todo="check both and try again"))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(user)
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, csrf_token=csrf_token, created_at=now, last_seen_at=now, expires_at=now + min(IDLE, LIFETIME)))
    session.execute(sa.delete(WebSession).where(WebSession.expires_at <= now))  # sessions nobody came back to
    session.add(LoginAttempt(name=key, address=address, ok=True, at=now))
    logged_in = LoggedIn(token, csrf_token, UserRow.of(user))
    session.commit()
    return logged_in


def session_user(session: Session, token: str | None, *, now: datetime | None = None) -> SessionUser | None:
    """Who holds the session of this cookie token; None for no token, an unknown or ended session, or a disabled user.

    An ended session (idle for 8 hours, 24 hours old, or its user disabled) is deleted here. A
    session in use is kept alive, writing last_seen_at at most once a minute.
    """
    if not token or len(token) > 256:
        return None
    now = now or utcnow()
    found = session.exec(select(WebSession, User).join(User, User.id == WebSession.user_id).where(WebSession.token_hash == _digest(token))).first()
    if found is None:
        return None
    web, user = found
    if user.disabled or now >= web.expires_at:
        session.execute(sa.delete(WebSession).where(WebSession.id == web.id))
        session.commit()
        return None
    holder = SessionUser(user.name, user.role, web.csrf_token, web.id)
    if now - web.last_seen_at >= TOUCH_EVERY:
        expires_at = min(now + IDLE, web.created_at + LIFETIME)
        session.execute(sa.update(WebSession).where(WebSession.id == web.id).values(last_seen_at=now, expires_at=expires_at))
        session.commit()
    return holder


def log_out(session: Session, token: str | None) -> None:
    """End the session of this cookie token (nothing happens for an unknown one); commits."""
    if token:
        session.execute(sa.delete(WebSession).where(WebSession.token_hash == _digest(token)))
        session.commit()


def _valid_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise InvalidInputError("a user name must be " + NAME_RULE, todo="choose a name like 'jsmith' or 'j.smith'")
    return name


def _valid_role(role: str) -> str:
    role = (role or "").strip().lower()
    if role not in ROLES:
        raise InvalidInputError(f"unknown role '{role}'", todo=f"use {', '.join(ROLES[:-1])} or {ROLES[-1]}")
    return role


def _valid_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInputError(f"the password is shorter than {MIN_PASSWORD} characters", todo="choose a longer one: a few unrelated words make a good password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInputError(f"the password is longer than {MAX_PASSWORD} characters", todo="choose a shorter one")


def _find(session: Session, name: str) -> User | None:
    """The user of this name, whatever its case (names are ASCII, so lower() agrees on every database)."""
    return session.exec(select(User).where(sa.func.lower(User.name) == name.lower())).first()


def _get(session: Session, name: str) -> User:
    user = _find(session, (name or "").strip())
    if user is None:
        raise NotFoundError(f"no user named '{name}'", todo="see the users there are")
    return user


def _end_sessions(session: Session, user: User) -> int:
    return session.execute(sa.delete(WebSession).where(WebSession.user_id == user.id)).rowcount or 0


def _audit(session: Session, user: User, action: str, actor: str, details: dict) -> None:
    session.add(AuditEvent(at=utcnow(), actor=actor, action=f"user.{action}", subject="web_user", subject_id=user.id, details=details))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _attempt_key(name: str) -> str:
    """What the per-name limit counts: the name as typed, without case or surrounding spaces."""
    return (name or "").strip().lower()[:64]


def _refuse(session: Session, key: str, address: str, now: datetime, error: InvalidInputError | WrongStateError) -> NoReturn:
    """Record the failed attempt (it counts towards the limit, a refused one too), commit, raise."""
    session.add(LoginAttempt(name=key, address=address, ok=False, at=now))
    session.commit()
    raise error


def _limited(session: Session, key: str, address: str, now: datetime) -> bool:
    """Too many failures lately: for the name since its last success, for the address in all."""
    since = now - WINDOW
    last_ok = session.exec(select(sa.func.max(LoginAttempt.at)).where(LoginAttempt.name == key, LoginAttempt.ok)).one()
    name_since = max(since, last_ok) if last_ok else since
    return (_failures(session, LoginAttempt.name == key, name_since) >= MAX_FAILURES_PER_NAME
            or _failures(session, LoginAttempt.address == address, since) >= MAX_FAILURES_PER_ADDRESS)


def _failures(session: Session, which, since: datetime) -> int:
    return session.exec(select(sa.func.count()).select_from(LoginAttempt).where(which, LoginAttempt.at > since, sa.not_(LoginAttempt.ok))).one()
