"""Facilitation pages: commitments (list, detail, promotion form), consolidation, audit log."""
from __future__ import annotations

import json
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, gettext as _
from flask_login import current_user, login_required

from ..schemas.facilitation import (
    CommitmentInput, CommitmentsQuery, DeclineInput, MeasurementInput, MergeInput, PromotionInput,
)
from ..schemas.workspace import ConsolidationQuery, ContributionsQuery
from ..services import act, audit, channels, commitments, contract, facilitation, posts
from ..services.access import access
from . import attachments, bp
from ..labels import (
    COMMITMENT_STATUS_LABELS, FINANCING_SUGGESTIONS, PARTY_HEADINGS, PARTY_LABELS,
)
from .facilitation_forms import CommitmentForm, DeclineForm, MeasurementForm, MergeForm, StatusForm
from .feedback import attempt, form_error, outcome, refusal
from .forms import ConfirmForm

@bp.app_template_filter("isodate")
def _isodate(value: str | None) -> str:
    """An ISO date (as in the API's resources) in the reader's language."""
    return format_date(date.fromisoformat(value)) if value else ""


@bp.app_template_filter("decimal")
def _decimal(value) -> str:
    return "—" if value is None else format_decimal(value)


@bp.app_template_filter("plainjson")
def _plainjson(value) -> str:
    """JSON as people read it (accents kept); escaped by Jinja like any text."""
    return json.dumps(value, ensure_ascii=False)


for _name, _value in {"PARTY_LABELS": PARTY_LABELS, "PARTY_HEADINGS": PARTY_HEADINGS,
                      "COMMITMENT_STATUS_LABELS": COMMITMENT_STATUS_LABELS}.items():
    bp.add_app_template_global(_value, _name)


@bp.get("/t/<slug>/commitments")
@login_required
def commitments_page(slug: str):
    where = access(current_user, slug)
    args = request.args
    items, refused = outcome(lambda: commitments.list_commitments(
        where, CommitmentsQuery(**args.to_dict())))
    if refused is not None:
        form_error(None, refused)
        items = commitments.list_commitments(where)
    visible_channels = channels.list_channels(where)
    names = {c.id: c.name for c in visible_channels}
    groups = {party: {} for party in PARTY_LABELS}
    for commitment in items:
        domain = names.get(commitment.channel_id, _("Autres domaines"))
        groups[commitment.party].setdefault(domain, []).append(
            commitments.serialise(commitment, where))
    template = "_commitment_groups.html" if args.get("partial") else "commitments.html"
    return render_template(
        template, where=where, territory=where.territory, groups=groups,
        channels=visible_channels, pilots=sorted({c.pilot for c in
                                                  commitments.list_commitments(where) if c.pilot}),
        filters=args, count=len(items))


@bp.get("/t/<slug>/commitments/<int:commitment_id>")
@login_required
def commitment_page(slug: str, commitment_id: int):
    where = access(current_user, slug)
    return _commitment(where, commitments.get(where, commitment_id))


def _commitment(where, commitment, *, form=None, status_form=None, measurement_form=None,
                status: int = 200):
    data = commitments.serialise(commitment, where)
    if where.is_facilitator:
        form = form or _commitment_form(where, data)
        status_form = status_form or StatusForm(status=commitment.status)
    if commitments.may_measure(where, commitment):  # facilitators and the pilot's members
        measurement_form = measurement_form or MeasurementForm()
        measurement_form.indicator.choices = [(str(i["id"]), i["name"])
                                              for i in data["indicators"]]
    else:
        measurement_form = None
    names = {c.id: c.name for c in channels.list_channels(where)}
    return render_template(
        "commitment.html", where=where, territory=where.territory, commitment=data,
        channel_name=names.get(commitment.channel_id),
        axis_label=act.axis_labels(where).get(commitment.axis),
        framework_name=next((f.name for f in contract.frameworks(where)
                             if f.id == commitment.framework_id), None),
        revisions=[commitments.serialise_revision(r)
                   for r in commitments.revisions(where, commitment.id)],
        form=form, status_form=status_form, measurement_form=measurement_form,
        today=date.today().isoformat(),
    ), status


def _commitment_form(where, data: dict | None = None, **kwargs) -> CommitmentForm:
    if data is not None and request.method == "GET":
        form = CommitmentForm(
            title=data["title"], party=data["party"], description=data["description"],
            pilot=data["pilot"], partners="\n".join(data["partners"]),
            actions="\n".join(data["actions"]), channel=str(data["channel"] or ""),
            staff=data["means"]["staff"], budget=data["means"]["budget"],
            equipment=data["means"]["equipment"],
            indicators=[{"id": str(i["id"]), "name": i["name"], "unit": i["unit"],
                         "baseline": _number(i["baseline"]), "target": _number(i["target"]),
                         "reference_year": str(i["reference_year"] or ""),
                         "source": i["source"], "frequency": i["frequency"] or ""}
                        for i in data["indicators"]],
            axis=data["axis"] or "", financing=data["financing"],
            target_area=data["target_area"], framework=str(data["framework"] or ""),
            **kwargs)
        form.start_date.data = date.fromisoformat(data["start_date"]) if data["start_date"] else None
        form.due_date.data = date.fromisoformat(data["due_date"]) if data["due_date"] else None
    else:
        form = CommitmentForm(**kwargs)
    form.indicators.append_entry()  # one empty row to add an indicator
    form.channel.choices = [("", _("— aucun —"))] + [
        (str(c.id), c.name) for c in channels.list_channels(where) if not c.archived]
    form.axis.choices = [("", _("— aucun —"))] + [
        (axis["key"], axis["label"]) for axis in act.axes(where)]
    form.framework.choices = [("", _("— aucun —"))] + [
        (str(f.id), f.name) for f in contract.frameworks(where)]
    form.financing_suggestions = [str(item) for item in FINANCING_SUGGESTIONS]
    return form


def _number(value):
    if value is None:
        return ""
    return f"{value:g}"


@bp.post("/t/<slug>/commitments/<int:commitment_id>")
@login_required
def update_commitment(slug: str, commitment_id: int):
    where = access(current_user, slug)
    commitment = commitments.get(where, commitment_id)
    form = _commitment_form(where)
    if form.validate_on_submit():
        status = refusal(form, lambda: commitments.update(
            where, commitment_id, CommitmentInput(**form.data_for_service(),
                                                  attachments=attachments.from_form(where))))
        if status:
            return _commitment(where, commitment, form=form, status=status)
        flash(_("Engagement mis à jour."), "success")
        return redirect(url_for("web.commitment_page", slug=slug, commitment_id=commitment_id))
    return _commitment(where, commitment, form=form, status=400)


@bp.post("/t/<slug>/commitments/<int:commitment_id>/status")
@login_required
def commitment_status(slug: str, commitment_id: int):
    where = access(current_user, slug)
    commitment = commitments.get(where, commitment_id)
    form = StatusForm()
    if form.validate_on_submit():
        status = refusal(form, lambda: commitments.update(where, commitment_id, CommitmentInput(
            status=form.status.data, abandon_reason=form.abandon_reason.data or None)))
        if status:
            return _commitment(where, commitment, status_form=form, status=status)
        flash(_("Statut mis à jour."), "success")
    return redirect(url_for("web.commitment_page", slug=slug, commitment_id=commitment_id))


@bp.post("/t/<slug>/commitments/<int:commitment_id>/measurements")
@login_required
def add_measurement(slug: str, commitment_id: int):
    where = access(current_user, slug)
    commitment = commitments.get(where, commitment_id)
    form = MeasurementForm()
    if form.validate_on_submit():
        status = refusal(form, lambda: commitments.add_measurement(
            where, commitment_id, int(form.indicator.data or 0), MeasurementInput(
                date=form.date.data.isoformat() if form.date.data else None,
                value=form.value.data, comment=form.comment.data or "")))
        if status:
            return _commitment(where, commitment, measurement_form=form, status=status)
        flash(_("Mesure enregistrée."), "success")
    return redirect(url_for("web.commitment_page", slug=slug, commitment_id=commitment_id))


@bp.route("/t/<slug>/commitments/new", methods=["GET", "POST"])
@login_required
def new_commitment(slug: str):
    """Promotion: the selected needs/proposals become the sources of a new commitment."""
    where = access(current_user, slug)
    where.require("facilitator")
    source_ids = [int(v) for v in request.values.getlist("source") if v.isdigit()]
    sources = []
    for post_id in source_ids:
        sources.append(posts.serialise(posts.get_post(where, post_id)))
    form = _commitment_form(where)
    if "title" not in request.form and sources:
        draft = facilitation.promotion_draft([posts.get_post(where, s["id"]) for s in sources])
        form.title.data = form.title.data or draft["title"]
        form.channel.data = str(draft["channel"] or "")
        if draft["restricted"]:
            flash(_("Une source est dans un canal restreint, mais l'engagement sera visible "
                    "de tous les membres : donnez-lui un titre et une description neutres."),
                  "info")
    status = 200
    # The consolidation page posts its selection here; the form's own post has a title.
    submitted = request.method == "POST" and "title" in request.form
    if submitted and form.validate_on_submit():
        data = form.data_for_service()
        data["source_posts"] = [s["id"] for s in sources]
        data["repromote"] = request.form.get("repromote") == "1"
        commitment, refused = outcome(lambda: facilitation.promote(where, PromotionInput(
            **data, attachments=attachments.from_form(where))))
        if refused is not None:
            form_error(form, refused)
            status = refused.status
        else:
            flash(_("Engagement n° %(n)d créé.", n=commitment.number), "success")
            return redirect(url_for("web.commitment_page", slug=slug,
                                    commitment_id=commitment.id))
    elif submitted:
        status = 400
    return render_template("commitment_new.html", where=where, territory=where.territory,
                           form=form, sources=sources), status


@bp.get("/t/<slug>/consolidation")
@login_required
def consolidation(slug: str):
    """Every open need and proposal, by support, a page at a time, filtered, with the
    likely duplicates stored for them (facilitators)."""
    where = access(current_user, slug)
    where.require("facilitator")
    args = request.args
    filters = {name: args.get(name, "") for name in CONSOLIDATION_FILTERS}
    open_items, refused = outcome(lambda: facilitation.open_contributions(
        where, ConsolidationQuery(after=args.get("after"), limit=facilitation.CONSOLIDATION_PAGE,
                                  **filters)))
    if refused is not None:
        form_error(None, refused)
        filters = dict.fromkeys(CONSOLIDATION_FILTERS, "")
        open_items = facilitation.open_contributions(
            where, ConsolidationQuery(limit=facilitation.CONSOLIDATION_PAGE))
    following = (url_for("web.consolidation", slug=slug, **filters,
                         after=posts.page_key(open_items[-1], "supports"))
                 if len(open_items) == facilitation.CONSOLIDATION_PAGE else None)
    declined = posts.list_contributions(where, ContributionsQuery(status="declined",
                                                                  order="recent", limit=20))
    listed = channels.list_channels(where, readable=True)
    return render_template(
        "consolidation.html", where=where, territory=where.territory,
        items=[posts.serialise(p) for p in open_items],
        declined=[posts.serialise(p) for p in declined],
        duplicates=_pairs(facilitation.suggestions(where)),
        duplicates_of=facilitation.suggestions_of(where, [p.id for p in open_items]),
        channels=listed, channel_names={c.id: c.name for c in listed}, filters=filters,
        following=following, first_page=url_for("web.consolidation", slug=slug, **filters)
        if args.get("after") else None,
        merge_form=MergeForm(), decline_form=DeclineForm(), confirm_form=ConfirmForm())


CONSOLIDATION_FILTERS = ("channel", "kind", "organisation_kind", "text")


def _pairs(found) -> list[tuple[dict, dict, float]]:
    return [(posts.serialise(a), posts.serialise(b), score) for a, b, score in found]


@bp.post("/t/<slug>/consolidation/merge")
@login_required
def merge_selection(slug: str):
    where = access(current_user, slug)
    form = MergeForm()
    if form.validate_on_submit():
        into = int(form.into.data) if (form.into.data or "").isdigit() else None
        merged = 0
        for value in request.form.getlist("source"):
            if value.isdigit() and int(value) != into:
                _merged, refused = outcome(lambda: facilitation.merge(
                    where, int(value), MergeInput(into=into)))
                if refused is not None:
                    form_error(None, refused)
                else:
                    merged += 1
        if merged:
            flash(_("%(n)d contribution(s) fusionnée(s).", n=merged), "success")
    return redirect(url_for("web.consolidation", slug=slug))


@bp.post("/t/<slug>/posts/<int:post_id>/decline")
@login_required
def decline_post(slug: str, post_id: int):
    where = access(current_user, slug)
    form = DeclineForm()
    if form.validate_on_submit():
        attempt(lambda: facilitation.decline(where, post_id,
                                                DeclineInput(reason=form.reason.data)),
                _("Contribution écartée."))
    return _back(slug)


@bp.post("/t/<slug>/posts/<int:post_id>/reopen")
@login_required
def reopen_post(slug: str, post_id: int):
    where = access(current_user, slug)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: facilitation.reopen(where, post_id), _("Contribution rouverte."))
    return _back(slug)


def _back(slug: str):
    """To the territory page the form came from (the chat, a thread…), else consolidation."""
    back = request.form.get("back") or ""
    return redirect(back if back.startswith(f"/t/{slug}/") else
                    url_for("web.consolidation", slug=slug))


@bp.get("/t/<slug>/audit")
@login_required
def audit_page(slug: str):
    where = access(current_user, slug)
    args = request.args
    entries, refused = outcome(lambda: audit.entries(
        where, action=args.get("action"), actor=args.get("actor"),
        before_id=args.get("before_id"), limit=100))
    if refused is not None:
        form_error(None, refused)
        entries = audit.entries(where, limit=100)
    return render_template(
        "audit.html", where=where, territory=where.territory,
        entries=[audit.serialise(e, where) for e in entries],
        actions=audit.actions(where), next_before_id=entries[-1].id if len(entries) == 100 else None, filters=args)
