"""ACS notices: what USPS reported electronically for each undeliverable piece, kept by file and
line; batch fees: what a batch costs after mailing (ACS fees), once per source file

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:05:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import notifier.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'acs_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('tracking', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=True),
        sa.Column('move_effective', sa.Date(), nullable=True),
        sa.Column('received_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['letter_id'], ['letter.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('file_sha256', 'line', name='uq_acs_notice_file_line'),
    )
    with op.batch_alter_table('acs_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acs_notice_tracking'), ['tracking'], unique=False)
    op.create_table(
        'batch_fee',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('cents', sa.Integer(), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('recorded_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['batch.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('batch_id', 'kind', 'source_sha256', name='uq_batch_fee_source'),
    )
    with op.batch_alter_table('batch_fee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_fee_batch_id'), ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_fee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_fee_batch_id'))
    op.drop_table('batch_fee')
    with op.batch_alter_table('acs_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acs_notice_tracking'))
    op.drop_table('acs_notice')
