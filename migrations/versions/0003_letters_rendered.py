"""letters rendered: what rendering measured; superseded letters keep their attempt number

Existing rows get empty defaults so the upgrade runs on a live database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:26:05.209818
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('variant', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=False, server_default=sa.text("'0'")))
        batch_op.add_column(sa.Column('sheets', sa.Integer(), nullable=False, server_default=sa.text("'0'")))
        batch_op.add_column(sa.Column('weight_hundredths_oz', sa.Integer(), nullable=False, server_default=sa.text("'0'")))
        batch_op.add_column(sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('checks', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('render_file', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('rendered_at', notifier.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_letter_notice_attempt'), type_='unique')
        batch_op.create_index('uq_letter_current_attempt', ['notice_id', 'attempt'], unique=True, sqlite_where=sa.text("state != 'superseded'"), postgresql_where=sa.text("state != 'superseded'"))



def downgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index('uq_letter_current_attempt', sqlite_where=sa.text("state != 'superseded'"), postgresql_where=sa.text("state != 'superseded'"))
        batch_op.create_unique_constraint(batch_op.f('uq_letter_notice_attempt'), ['notice_id', 'attempt'])
        batch_op.drop_column('rendered_at')
        batch_op.drop_column('render_file')
        batch_op.drop_column('checks')
        batch_op.drop_column('content_hash')
        batch_op.drop_column('weight_hundredths_oz')
        batch_op.drop_column('sheets')
        batch_op.drop_column('pages')
        batch_op.drop_column('variant')
        batch_op.drop_column('language')

