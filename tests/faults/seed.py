"""Seeds a fault test's private database in a process of its own (the test process's `db`
stays bound to the suite's database): the schema, a territory with a facilitator, two
actors and an observer, and their API tokens, printed as JSON.

    python -m tests.faults.seed DATABASE_URL INSTANCE_PATH
"""
from __future__ import annotations

import json
import sys

from concert import create_app, migrate
from concert.config import normalise_database_url
from concert.services import territories

from ..conftest import join

PEOPLE = [
    ("anim@example.org", "Fanny Animatrice", "facilitator", "Préfecture", "prefecture"),
    ("police@example.org", "Paul Police", "actor", "DDSP 13", "police_nationale"),
    ("bailleur@example.org", "Béatrice Bailleur", "actor", "Habitat 13", "bailleur_social"),
    ("obs@example.org", "Oscar Observateur", "observer", "Parquet", "justice"),
]


def main(url: str, instance: str) -> None:
    app = create_app({"DATABASE_URL": normalise_database_url(url), "INSTANCE_PATH": instance,
                      "SECRET_KEY": "test-secret", "MESSAGE_QUEUE": None})
    with app.app_context():
        migrate.upgrade()
        territories.create_territory(None, "metropole", "Métropole test", "13", ["13055"])
        people = []
        for email, name, role, organisation, kind in PEOPLE:
            person = join("metropole", email, name, role, organisation, kind)
            person.bearer()
            people.append(vars(person))
    print(json.dumps(people))


if __name__ == "__main__":
    main(*sys.argv[1:3])
