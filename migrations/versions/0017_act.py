"""the contract's act form

Signatories (the parties and the signature block), the act's settings (visas, axes, place,
date, duration, notice, court), each commitment's axis, financing, target area and
framework, each indicator's reference year and source; the framework kinds a CSI takes in.

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('cls', 'stspd', 'contrat_de_ville', 'convention_coordination', 'other')"
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
NEW_KINDS = ("kind IN ('cls', 'stspd', 'clspd', 'pdpd', 'contrat_de_ville', 'qrr', 'gltd', "
             "'pvd', 'convention_coordination', 'other')")


def upgrade() -> None:
    op.create_table(
        'contract_signatories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('person', sa.String(length=200), nullable=False),
        sa.Column('quality', sa.String(length=300), nullable=False),
        sa.Column('deliberation_date', sa.Date(), nullable=True),
        sa.Column('deliberation_number', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('etat', 'justice', 'collectivite', 'partenaire')",
                           name='ck_contract_signatory_role'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE',
                                name='fk_contract_signatory_territory'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contract_signatories_territory_id', 'contract_signatories',
                    ['territory_id'], unique=False)
    op.create_table(
        'contract_acts',
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('visas', JSON,
                  nullable=True),
        sa.Column('axes', JSON,
                  nullable=True),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=True),
        sa.Column('originals', sa.Integer(), nullable=True),
        sa.Column('effective_on', sa.Date(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('notice_months', sa.Integer(), nullable=False),
        sa.Column('court', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE',
                                name='fk_contract_act_territory'),
        sa.PrimaryKeyConstraint('territory_id'),
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('axis', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('financing', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('target_area', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('framework_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_commitment_framework', 'contract_frameworks',
                                    ['framework_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=200), nullable=False,
                                      server_default=''))
    # The server defaults only filled the rows that existed: the models set their own.
    for table, columns in (('commitments', ('financing', 'target_area')),
                           ('indicators', ('source',))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table('contract_frameworks', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contract_framework_kind', type_='check')
        batch_op.create_check_constraint('ck_contract_framework_kind', NEW_KINDS)


def downgrade() -> None:
    with op.batch_alter_table('contract_frameworks', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contract_framework_kind', type_='check')
        batch_op.create_check_constraint('ck_contract_framework_kind', OLD_KINDS)
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('reference_year')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_commitment_framework', type_='foreignkey')
        batch_op.drop_column('framework_id')
        batch_op.drop_column('target_area')
        batch_op.drop_column('financing')
        batch_op.drop_column('axis')
    op.drop_table('contract_acts')
    op.drop_index('ix_contract_signatories_territory_id', table_name='contract_signatories')
    op.drop_table('contract_signatories')
