"""diagnostic

The SSMSI departmental base beside the communal one: the rows kept to compare a territory
with its départements and France, and the kind of each import.

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'diagnostic_reference_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=3), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=200), nullable=False),
        sa.Column('unit', sa.String(length=100), nullable=False),
        sa.Column('facts', sa.Double(), nullable=True),
        sa.Column('rate', sa.Double(), nullable=True),
        sa.Column('population', sa.Integer(), nullable=True),
        sa.Column('dwellings', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('territory_id', 'area', 'year', 'indicator', 'unit',
                            name='uq_diagnostic_reference_figure'),
    )
    op.create_index('ix_diagnostic_reference_figures_territory_id',
                    'diagnostic_reference_figures', ['territory_id'])
    with op.batch_alter_table('diagnostic_imports') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                   server_default='communal'))


def downgrade() -> None:
    with op.batch_alter_table('diagnostic_imports') as batch:
        batch.drop_column('kind')
    op.drop_table('diagnostic_reference_figures')
