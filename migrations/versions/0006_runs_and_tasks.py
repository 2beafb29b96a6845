"""runs and tasks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 05:35:19.829820
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False, server_default=''),
    sa.Column('started_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', notifier.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], ),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('staged_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('row', sa.JSON(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'seq', name='uq_staged_record_run_seq')
    )
    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('lease_until', notifier.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'step', 'first_id', name='uq_task_run_step_first')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_state'))
        batch_op.drop_index(batch_op.f('ix_task_run_id'))

    op.drop_table('task')
    op.drop_table('staged_record')
    op.drop_table('run')
