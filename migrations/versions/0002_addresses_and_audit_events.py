"""addresses and audit events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:10:56.316727
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_subject_id'), ['subject_id'], unique=False)

    op.create_table('address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('raw_line1', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('raw_line2', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('raw_city', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('raw_state', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('raw_zip', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('line1', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('line2', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('zip5', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('zip4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('suggestion', sa.JSON(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('checked_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id')
    )
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_status'))

    op.drop_table('address')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_subject_id'))

    op.drop_table('audit_event')
