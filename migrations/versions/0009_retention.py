"""retention: address changes kept apart from the audit trail, notices and quarantined rows marked when purged

Address fixes used to keep the addresses before and after in their audit event; they move to
address_change (which the purge can erase) and the event keeps only which fields changed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:00:00
"""
from alembic import op
import sqlalchemy as sa
import notifier.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

FIX_ACTIONS = ("address.fix", "address.undeliverable")


def upgrade() -> None:
    op.create_table('address_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('address_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_change_notice_id'), ['notice_id'], unique=False)
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', notifier.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', notifier.models.UTCDateTime(timezone=True), nullable=True))
    _move_addresses_out_of_audit_events()


def _move_addresses_out_of_audit_events() -> None:
    connection = op.get_bind()
    events = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("at", notifier.models.UTCDateTime()),
                      sa.column("action", sa.String), sa.column("subject_id", sa.Integer), sa.column("details", sa.JSON))
    changes = sa.table("address_change", sa.column("id", sa.Integer), sa.column("notice_id", sa.Integer),
                       sa.column("at", notifier.models.UTCDateTime()), sa.column("before", sa.JSON), sa.column("after", sa.JSON))
    for row in connection.execute(sa.select(events).where(events.c.action.in_(FIX_ACTIONS)).order_by(events.c.id)).all():
        details = dict(row.details)
        if "after" not in details:
            continue
        before, after = details.pop("before", None) or {}, details.pop("after")
        change_id = connection.execute(
            sa.insert(changes).values(notice_id=row.subject_id, at=row.at, before=before, after=after).returning(changes.c.id)
        ).scalar_one()
        details["fields"] = sorted(name for name in after if after.get(name) != before.get(name))
        details["change"] = change_id
        connection.execute(sa.update(events).where(events.c.id == row.id).values(details=details))


def downgrade() -> None:
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
    with op.batch_alter_table('address_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_change_notice_id'))
    op.drop_table('address_change')
