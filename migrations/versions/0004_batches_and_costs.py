"""batches and costs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 04:39:55.343661
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('mail_date', sa.Date(), nullable=False),
    sa.Column('postage_class', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('wave', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('postage_cents', sa.Integer(), nullable=True),
    sa.Column('print_cents', sa.Integer(), nullable=True),
    sa.Column('envelope_cents', sa.Integer(), nullable=True),
    sa.Column('actual_postage_cents', sa.Integer(), nullable=True),
    sa.Column('actual_print_cents', sa.Integer(), nullable=True),
    sa.Column('actual_envelope_cents', sa.Integer(), nullable=True),
    sa.Column('postage_statement', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('invoice', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_state'), ['state'], unique=False)

    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sort_level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('wave', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('postage_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('print_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('envelope_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actual_postage_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actual_print_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actual_envelope_cents', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_letter_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key('fk_letter_batch_id', 'batch', ['batch_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint('fk_letter_batch_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_letter_batch_id'))
        batch_op.drop_column('actual_envelope_cents')
        batch_op.drop_column('actual_print_cents')
        batch_op.drop_column('actual_postage_cents')
        batch_op.drop_column('envelope_cents')
        batch_op.drop_column('print_cents')
        batch_op.drop_column('postage_cents')
        batch_op.drop_column('wave')
        batch_op.drop_column('sort_level')
        batch_op.drop_column('sequence')
        batch_op.drop_column('batch_id')

    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_state'))

    op.drop_table('batch')
