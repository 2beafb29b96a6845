"""What the run tests share: a synthetic export and checks of the end state."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from notifier import db
from notifier.models import Address, Letter, LetterState, Notice
from notifier.addresses.check import MAILABLE
from notifier.synth.generator import write_export


@pytest.fixture(scope="session")
def export_csv(tmp_path_factory) -> Path:
    """600 decisions from the generator: every kind of mess, about 1% broken rows."""
    path = tmp_path_factory.mktemp("export") / "decisions.csv"
    write_export(path, 600, seed=8)
    return path


def letter_problems(url: str) -> list[str]:
    """What would be wrong after a run: a mailable notice without exactly one current letter, a letter left pending."""
    problems = []
    with db.engine_for(url).connect() as connection:
        current = sa.select(Letter.notice_id, sa.func.count().label("n")).where(Letter.state != LetterState.SUPERSEDED).group_by(Letter.notice_id).subquery()
        rows = connection.execute(
            sa.select(Notice.id, sa.func.coalesce(current.c.n, 0))
            .join(Address, Address.notice_id == Notice.id)
            .outerjoin(current, current.c.notice_id == Notice.id)
            .where(Address.status.in_(MAILABLE))
        ).all()
        problems += [f"notice {notice_id} has {n} current letters" for notice_id, n in rows if n != 1]
        pending = connection.scalar(sa.select(sa.func.count()).select_from(Letter).where(Letter.state == LetterState.PENDING))
        if pending:
            problems.append(f"{pending} letters left pending")
        if not rows:
            problems.append("no mailable notices at all")
    return problems


def letter_fingerprint(url: str) -> list[tuple]:
    """Every letter's notice, attempt, state and content: equal before and after a no-op."""
    with db.engine_for(url).connect() as connection:
        return sorted(tuple(r) for r in connection.execute(sa.select(Letter.id, Letter.notice_id, Letter.attempt, Letter.state, Letter.content_hash, Letter.pages)))
