"""upstream exports: skipped and not-final rows, identity conflicts, addresses from a second file

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 20:45:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import notifier.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('last_name_key', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('resolved_person_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', notifier.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'date_of_birth', 'last_name_key', name='uq_person_identity')
    )
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_identity_person_id'), ['person_id'], unique=False)
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('not_final', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('identity_conflicts', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), type_=sqlmodel.sql.sqltypes.AutoString(length=24), existing_nullable=False)
        batch_op.add_column(sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decision', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_quarantined_row_person_id'), ['person_id'], unique=False)
    with op.batch_alter_table('staged_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='decision'))
        batch_op.add_column(sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.alter_column('source', existing_type=sqlmodel.sql.sqltypes.AutoString(length=8), type_=sqlmodel.sql.sqltypes.AutoString(length=16), existing_nullable=False)
        batch_op.add_column(sa.Column('source_detail', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))
    _record_known_identities()
    # the defaults above fill existing rows; the models give every new row its values
    for table, columns in (('import_run', ('skipped', 'not_final', 'identity_conflicts')), ('quarantined_row', ('person_id',)), ('address', ('source_detail',)),
                           ('staged_record', ('kind', 'reason'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)


def _record_known_identities() -> None:
    """Every person id imported so far is known as the identities its decisions carry (as they were joined then)."""
    from notifier.intake.identity import name_key

    decision = sa.table("decision", sa.column("id", sa.Integer), sa.column("person_id", sa.String), sa.column("date_of_birth", sa.Date), sa.column("last_name", sa.String))
    identity = sa.table("person_identity", sa.column("person_id", sa.String), sa.column("date_of_birth", sa.Date), sa.column("last_name_key", sa.String),
                        sa.column("resolved_person_id", sa.String), sa.column("created_by", sa.String),
                        sa.column("created_at", notifier.models.UTCDateTime(timezone=True)))
    connection = op.get_bind()
    now = notifier.models.utcnow()
    seen, batch = set(), []
    for pid, born, last in connection.execute(sa.select(decision.c.person_id, decision.c.date_of_birth, decision.c.last_name).order_by(decision.c.id)):
        key = (pid, born, name_key(last))
        if key not in seen:
            seen.add(key)
            batch.append({"person_id": pid, "date_of_birth": born, "last_name_key": key[2], "resolved_person_id": pid, "created_by": "migration", "created_at": now})
        if len(batch) >= 5000:
            connection.execute(identity.insert(), batch)
            batch = []
    if batch:
        connection.execute(identity.insert(), batch)


def downgrade() -> None:
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_column('source_detail')
        batch_op.alter_column('source', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), type_=sqlmodel.sql.sqltypes.AutoString(length=8), existing_nullable=False)
    with op.batch_alter_table('staged_record', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('kind')
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_row_person_id'))
        batch_op.drop_column('decision')
        batch_op.drop_column('person_id')
        batch_op.alter_column('kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=24), type_=sqlmodel.sql.sqltypes.AutoString(length=16), existing_nullable=False)
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_column('identity_conflicts')
        batch_op.drop_column('not_final')
        batch_op.drop_column('skipped')
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_identity_person_id'))
    op.drop_table('person_identity')
