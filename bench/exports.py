"""Export benchmark: a territory with 2,000 commitments and 20,000 posts, then the time and
peak memory of every export format, each measured in a fresh process.

    .venv/bin/python bench/exports.py                  # 2,000 commitments, 20,000 posts
    .venv/bin/python bench/exports.py --commitments 200 --posts 2000   # a quick run

Baselines in the same run: assembling the model alone (commitment list, contract), and the
assembled list through json.dumps. Each row is the whole export as the route does it
(assemble + render) for the command line's reader (what every member may see).
The contract is also frozen as version 1: its PDF and DOCX are downloaded twice, the first
time rendered and stored in the instance folder, the second time read from there
(exports/cache.py); compare with the draft's rows. `--skip version:pdf` leaves the
version's PDF out; `--only contract:pdf,list:csv` runs those alone.
Time: the wall time, and the CPU time of the process and of the PDF's child (on a shared
machine the wall time waits for the cores; the load average is printed before and after).
Memory: the process's peak resident memory during the export (VmHWM, reset just before
it through /proc/self/clear_refs), and its growth over the resident memory just before,
with the app created and the renderer libraries imported; and the peak of the child
process that typesets the PDF (exports/typeset.py), which the first two columns do not see.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from concert.schemas.contract import VersionInput
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench"
LIST_FORMATS = ("csv", "xlsx", "ods", "json", "md")
CONTRACT_FORMATS = ("md", "html", "docx", "odt", "pdf")


def _app(database_url: str, instance: str):
    from concert import create_app

    return create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": instance,
                       "SECRET_KEY": "bench", "TESTING": True, "MESSAGE_QUEUE": None,
                       "BASE_URL": "https://concert.example.gouv.fr"})


def seed(database_url: str, instance: str, n_commitments: int, n_posts: int) -> None:
    import sqlalchemy as sa

    from concert import migrate
    from concert.db import db
    from concert.models import (
        Channel, Commitment, CommitmentRevision, CommitmentSource, Indicator, Measurement, Post,
        Territory,
    )
    from concert.services import territories

    app = _app(database_url, instance)
    with app.app_context():
        migrate.upgrade()
        territories.create_territory(None, SLUG, "Métropole d'évaluation", "13",
                                     ["13055", "13001"])
        db.session.commit()
        territory = db.session.scalar(sa.select(Territory).where(Territory.slug == SLUG))
        db.session.add(Channel(territory_id=territory.id, name="Renseignement",
                               restricted_to=["prefecture", "police_nationale"], position=99))
        db.session.commit()
        channel_ids = db.session.scalars(sa.select(Channel.id).where(
            Channel.territory_id == territory.id)).all()
        rng = random.Random(7)
        now = datetime.now(timezone.utc)
        kinds = ("message", "need", "proposal")
        posts = []
        for i in range(1, n_posts + 1):
            kind = kinds[i % 3]
            body = (f"Contribution n° {i} : sécurité des abords de l'école élémentaire, "
                    f"éclairage public défaillant rue {i % 97}, présence policière en soirée.")
            posts.append({"territory_id": territory.id, "channel_id": rng.choice(channel_ids),
                          "kind": kind, "body": body, "html": f"<p>{body}</p>",
                          "status": None if kind == "message" else "open", "seq": i,
                          "author_organisation": "DDSP 13",
                          "author_organisation_kind": "police_nationale",
                          "created_at": now - timedelta(minutes=n_posts - i)})
        db.session.execute(sa.insert(Post), posts)
        post_ids = db.session.scalars(sa.select(Post.id).where(
            Post.territory_id == territory.id, Post.kind != "message")).all()
        parties = ("etat", "collectivite", "partenaire")
        statuses = ("draft", "validated", "in_progress", "done")
        commitments = [{
            "territory_id": territory.id, "number": i,
            "title": f"Engagement {i} : vidéoprotection et médiation à la gare « {i % 40} »",
            "description": "Présence coordonnée des forces de l'État et de la police municipale "
                           "aux heures sensibles, **en lien** avec les bailleurs sociaux.\n\n"
                           "- diagnostic partagé\n- suivi mensuel",
            "party": parties[i % 3], "pilot": f"Organisation pilote {i % 25}",
            "partners": ["Police municipale", "SNCF Sûreté", "Bailleur social"],
            "channel_id": rng.choice(channel_ids),
            "actions": ["Planning commun", "Point hebdomadaire", "Bilan trimestriel"],
            "means": {"staff": "6 agents", "budget": "12 000 €", "equipment": "2 véhicules"},
            "start_date": date(2027, 1, 1) + timedelta(days=i % 300),
            "due_date": date(2028, 1, 1) + timedelta(days=i % 300),
            "status": statuses[i % 4], "created_at": now, "updated_at": now,
        } for i in range(1, n_commitments + 1)]
        db.session.execute(sa.insert(Commitment), commitments)
        db.session.execute(sa.update(Territory).where(Territory.id == territory.id)
                           .values(last_commitment_number=n_commitments))
        ids = db.session.scalars(sa.select(Commitment.id).where(
            Commitment.territory_id == territory.id).order_by(Commitment.number)).all()
        db.session.execute(sa.insert(Indicator), [
            {"commitment_id": cid, "position": k, "name": name, "unit": unit,
             "baseline": 100.0 + k, "target": 80.0 - k}
            for cid in ids for k, (name, unit) in enumerate(
                [("Vols avec violence", "faits"), ("Patrouilles communes", "par mois")])])
        indicator_ids = db.session.scalars(sa.select(Indicator.id)).all()
        db.session.execute(sa.insert(Measurement), [
            {"indicator_id": iid, "measured_on": date(2027, 6, 30), "value": 95.0,
             "comment": ""} for iid in indicator_ids[::2]])
        db.session.execute(sa.insert(CommitmentSource), [
            {"commitment_id": cid, "post_id": pid, "created_at": now}
            for n, cid in enumerate(ids) for pid in {post_ids[(n * 3) % len(post_ids)],
                                                     post_ids[(n * 3 + 1) % len(post_ids)]}])
        db.session.execute(sa.insert(CommitmentRevision), [
            {"commitment_id": cid, "created_at": now, "changes": {
                "status": {"before": "draft", "after": "validated"}}} for cid in ids])
        db.session.commit()
        from concert.services import contract
        from concert.services.access import system_access

        contract.freeze(system_access(SLUG), VersionInput(note="Version d'évaluation"))


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def measure(database_url: str, instance: str, kind: str, fmt: str) -> dict:
    """In a fresh process: one export, its time and memory."""
    from flask_babel import force_locale

    import docx, odfdo, openpyxl  # noqa: E401,F401  (imports are not the work)
    from concert.exports import cache, render_document, spreadsheets
    from concert.services import commitment_list, contract
    from concert.services.access import system_access

    app = _app(database_url, instance)
    with app.app_context(), force_locale("fr"):
        where = system_access(SLUG)
        Path("/proc/self/clear_refs").write_text("5")  # the peak starts from now
        base = _status_mib("VmRSS")
        children_before = _children_peak_mib()  # library imports ran helper processes
        cpu_before = _cpu_seconds()
        start = time.perf_counter()
        if kind == "list":
            listing = commitment_list.assemble(where, {})
            if fmt == "model":
                data = b""
            elif fmt == "json.dumps":
                data = json.dumps(listing["items"], default=str).encode()
            else:
                data = spreadsheets.render(listing, fmt)
        elif kind == "version":  # as the route does it: the version, then its stored file
            data = cache.frozen_contract(contract.get_version(where, 1), fmt).read_bytes()
        else:
            document = contract.assemble(where)
            data = b"" if fmt == "model" else render_document(document, fmt)
        seconds = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu_before
        peak = _status_mib("VmHWM")
    # The PDF is typeset by a child process (concert/exports/typeset.py): its own peak, when
    # the export ran one larger than the helpers the imports ran.
    child = _children_peak_mib()
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak, "growth_mib": peak - base,
            "child_peak_mib": child if child > children_before else None, "bytes": len(data)}


def _cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the PDF's typesetter): on a
    shared machine, steadier than the wall time, which waits for the cores."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commitments", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--child", nargs=4, metavar=("DB", "INSTANCE", "KIND", "FMT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--skip", default="", help="formats to skip, e.g. contract:pdf")
    parser.add_argument("--only", default="",
                        help="formats to run, e.g. contract:pdf,list:csv (default: all)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="concert-bench-") as instance:
        database_url = f"sqlite:///{instance}/bench.db"
        started = time.perf_counter()
        seed(database_url, instance, args.commitments, args.posts)
        print(f"{args.commitments} commitments, {args.posts} posts seeded in "
              f"{time.perf_counter() - started:.1f} s (SQLite)\n", flush=True)
        runs = ([("list", "model"), ("list", "json.dumps")]
                + [("list", f) for f in LIST_FORMATS]
                + [("contract", "model")] + [("contract", f) for f in CONTRACT_FORMATS]
                + [("version", f) for f in ("docx", "pdf") for _download in (1, 2)])
        print(f"load average {os.getloadavg()[0]:.1f}\n")
        print(f"{'export':<28}{'time (s)':>10}{'CPU (s)':>9}{'peak RSS (MiB)':>16}"
              f"{'growth (MiB)':>14}{'child peak (MiB)':>18}{'size (KiB)':>12}")
        downloaded: set[str] = set()
        for kind, fmt in runs:
            if f"{kind}:{fmt}" in args.skip.split(",") or (
                    args.only and f"{kind}:{fmt}" not in args.only.split(",")):
                continue
            if kind == "version":
                label = f"v1 {fmt}, {'2nd' if fmt in downloaded else '1st'} download"
                downloaded.add(fmt)
            else:
                label = f"{'commitment list' if kind == 'list' else 'contract'} {fmt}"
            result = subprocess.run(
                [sys.executable, __file__, "--child", database_url, instance, kind, fmt],
                capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
            if result.returncode != 0:
                print(f"{label:<28} failed: {result.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{label:<28}{r['seconds']:>10.2f}{r['cpu_seconds']:>9.2f}{r['peak_mib']:>16.0f}"
                  f"{r['growth_mib']:>14.0f}{_mib(r['child_peak_mib']):>18}"
                  f"{r['bytes'] / 1024:>12.0f}", flush=True)
        print(f"\nload average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
