"""evaluation

After signature: the signed version, avenants, governance bodies, the yearly evaluation's
synthesis, and how often each indicator is measured.

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicators') as batch:
        batch.add_column(sa.Column('frequency', sa.String(length=16), nullable=True))
    op.create_table(
        'contract_signatures',
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE',
                                name='fk_signature_territory'),
        sa.ForeignKeyConstraint(['version_id'], ['contract_versions.id'], ondelete='CASCADE',
                                name='fk_signature_version'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL',
                                name='fk_signature_user'),
        sa.PrimaryKeyConstraint('territory_id'),
    )
    op.create_table(
        'amendments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('document', JSON, nullable=False),
        sa.Column('snapshot', JSON, nullable=False),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE',
                                name='fk_amendment_territory'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL',
                                name='fk_amendment_author'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('territory_id', 'number', name='uq_amendment_number'),
    )
    op.create_table(
        'governance_bodies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('chair', sa.String(length=200), nullable=False),
        sa.Column('composition', JSON, nullable=False),
        sa.Column('frequency', sa.String(length=200), nullable=False),
        sa.Column('clspd_link', sa.Text(), nullable=False),
        sa.Column('missions', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('copil', 'comite_suivi')", name='ck_governance_kind'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE',
                                name='fk_governance_territory'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL',
                                name='fk_governance_user'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('territory_id', 'kind', name='uq_governance_kind'),
    )
    op.create_table(
        'evaluation_syntheses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE',
                                name='fk_evaluation_territory'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL',
                                name='fk_evaluation_user'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('territory_id', 'year', name='uq_evaluation_year'),
    )


def downgrade() -> None:
    op.drop_table('evaluation_syntheses')
    op.drop_table('governance_bodies')
    op.drop_table('amendments')
    op.drop_table('contract_signatures')
    with op.batch_alter_table('indicators') as batch:
        batch.drop_column('frequency')
