"""returned mail

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 05:15:01.355882
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dead_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address_key')
    )
    op.create_table('returned_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('forward_line1', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('forward_line2', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('forward_city', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('forward_state', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('forward_zip', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('letter_id')
    )
    with op.batch_alter_table('returned_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returned_mail_reason'), ['reason'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('returned_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_returned_mail_reason'))

    op.drop_table('returned_mail')
    op.drop_table('dead_address')
