"""account: time zone of a person, device and address of each sign-in

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.add_column(sa.Column('user_agent', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('ip_address', sa.String(length=45), nullable=False,
                                      server_default=''))
    # The default filled the sign-ins of before; new ones always say (services/accounts.py).
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.alter_column('user_agent', server_default=None)
        batch_op.alter_column('ip_address', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.drop_column('ip_address')
        batch_op.drop_column('user_agent')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('time_zone')
