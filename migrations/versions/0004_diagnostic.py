"""shared_diagnostic

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('diagnostic_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('organisation_kind', sa.String(length=32), nullable=False),
    sa.Column('staff', sa.Text(), nullable=False),
    sa.Column('equipment', sa.Text(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('partnerships', sa.Text(), nullable=False),
    sa.Column('schemes', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('territory_id', 'organisation', 'organisation_kind', name='uq_diagnostic_entry_organisation')
    )
    op.create_index(op.f('ix_diagnostic_entries_territory_id'), 'diagnostic_entries', ['territory_id'], unique=False)
    op.create_table('diagnostic_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('commune', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('facts', sa.Double(), nullable=True),
    sa.Column('rate', sa.Double(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('population_year', sa.Integer(), nullable=True),
    sa.Column('dwellings', sa.Integer(), nullable=True),
    sa.Column('dwellings_year', sa.Integer(), nullable=True),
    sa.Column('complement_facts', sa.Double(), nullable=True),
    sa.Column('complement_rate', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('territory_id', 'commune', 'year', 'indicator', 'unit', name='uq_diagnostic_figure')
    )
    op.create_index(op.f('ix_diagnostic_figures_territory_id'), 'diagnostic_figures', ['territory_id'], unique=False)
    op.create_table('diagnostic_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('edition', sa.String(length=40), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_diagnostic_imports_territory_id'), 'diagnostic_imports', ['territory_id'], unique=False)
    op.create_table('diagnostic_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['diagnostic_entries.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_diagnostic_observations_territory_id'), 'diagnostic_observations', ['territory_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_diagnostic_observations_territory_id'), table_name='diagnostic_observations')
    op.drop_table('diagnostic_observations')
    op.drop_index(op.f('ix_diagnostic_imports_territory_id'), table_name='diagnostic_imports')
    op.drop_table('diagnostic_imports')
    op.drop_index(op.f('ix_diagnostic_figures_territory_id'), table_name='diagnostic_figures')
    op.drop_table('diagnostic_figures')
    op.drop_index(op.f('ix_diagnostic_entries_territory_id'), table_name='diagnostic_entries')
    op.drop_table('diagnostic_entries')
