"""draft_contract

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('contract_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("key IN ('preamble', 'diagnostic', 'governance', 'evaluation', 'closing', 'signatories')", name='ck_contract_section_key'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name='fk_contract_section_territory', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name='fk_contract_section_user', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('territory_id', 'key', name='uq_contract_section_key')
    )
    op.create_table('contract_frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('integration', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cls', 'stspd', 'contrat_de_ville', 'convention_coordination', 'other')", name='ck_contract_framework_kind'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name='fk_contract_framework_territory', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contract_frameworks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_frameworks_territory_id'), ['territory_id'], unique=False)

    op.create_table('contract_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document', JSON, nullable=False),
    sa.Column('snapshot', JSON, nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name='fk_contract_version_author', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name='fk_contract_version_territory', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('territory_id', 'number', name='uq_contract_version_number')
    )


def downgrade() -> None:
    op.drop_table('contract_versions')
    with op.batch_alter_table('contract_frameworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_frameworks_territory_id'))
    op.drop_table('contract_frameworks')
    op.drop_table('contract_sections')
