"""spine tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 04:04:40.360904
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('mapping', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', notifier.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('conflicts', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    op.create_table('notice',
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('middle_name', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('suffix', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('address_line1', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('address_line2', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('zip', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source_decision_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('source_decision_date', sa.Date(), nullable=False),
    sa.Column('address_decision_date', sa.Date(), nullable=True),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.person_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_notice_one_open_per_person', ['person_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('quarantined_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('decision_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('raw_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', notifier.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_name', 'line_number', 'raw_hash', name='uq_quarantine_source_line')
    )
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantined_row_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantined_row_import_run_id'), ['import_run_id'], unique=False)

    op.create_table('decision',
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('middle_name', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('suffix', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('address_line1', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('address_line2', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('zip', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('row_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('case_number', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('offense', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('statute', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('disposition_date', sa.Date(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('not_granted_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('court', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.person_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('decision_id')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_notice_id'), ['notice_id'], unique=False)

    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'attempt', name='uq_letter_notice_attempt')
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_state'), ['state'], unique=False)

    op.create_table('notice_discrepancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notice_discrepancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_discrepancy_notice_id'), ['notice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notice_discrepancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_discrepancy_notice_id'))

    op.drop_table('notice_discrepancy')
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_state'))
        batch_op.drop_index(batch_op.f('ix_letter_notice_id'))

    op.drop_table('letter')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_notice_id'))

    op.drop_table('decision')
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_row_import_run_id'))
        batch_op.drop_index(batch_op.f('ix_quarantined_row_decision_id'))

    op.drop_table('quarantined_row')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('uq_notice_one_open_per_person', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_notice_person_id'))

    op.drop_table('notice')
    op.drop_table('person')
    op.drop_table('import_run')
