"""letters indexed by batch and sequence: a print file's letters read without scanning the whole batch

A print file, a manifest chunk and the purge read a batch's letters by sequence range. With an
index on batch_id alone, each read scanned and sorted every letter of the batch, so printing a
run of 576,000 letters spent minutes there. The new index serves lookups by batch_id too.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 03:20:00
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_batch_id')
        batch_op.create_index('ix_letter_batch_sequence', ['batch_id', 'sequence'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_batch_sequence')
        batch_op.create_index('ix_letter_batch_id', ['batch_id'], unique=False)
