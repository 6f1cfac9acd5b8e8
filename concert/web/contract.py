"""Contract pages: the draft (or a frozen version), its sections and frameworks, versions and
their comparison, and the territory's phase."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.http import generate_etag, quote_etag
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from ..labels import PHASE_LABELS
from ..models import PHASES
from ..models.contract import SECTION_KEYS
from ..schemas.contract import SectionInput, VersionInput
from ..schemas.territories import PhaseInput
from ..services import contract, events, territories
from ..services.access import access
from ..services.errors import Invalid, NotFound
from . import bp
from .feedback import attempt, form_error, outcome, refusal


class SectionForm(FlaskForm):
    body = TextAreaField(_l("Texte (Markdown)"), render_kw={"rows": 16})
    submit = SubmitField(_l("Enregistrer la section"))


class FrameworkForm(FlaskForm):
    kind = SelectField(_l("Type de dispositif"),
                       choices=[(k, v) for k, v in contract.FRAMEWORK_LABELS.items()])
    name = StringField(_l("Nom"))
    start_date = DateField(_l("Début"), validators=[Optional()])
    end_date = DateField(_l("Fin"), validators=[Optional()])
    integration = TextAreaField(_l("Comment le contrat l'intègre (Markdown)"),
                                render_kw={"rows": 5})
    submit = SubmitField(_l("Enregistrer le dispositif"))

    def data_for_service(self) -> dict:
        day = lambda value: value.isoformat() if value else None
        return {"kind": self.kind.data, "name": self.name.data,
                "start_date": day(self.start_date.data), "end_date": day(self.end_date.data),
                "integration": self.integration.data or ""}


class FreezeForm(FlaskForm):
    note = StringField(_l("Note de version"), description=_l("Par exemple : « relu en comité "
                                                             "de pilotage du 12 mars »."))
    submit = SubmitField(_l("Figer une nouvelle version"))


class PhaseForm(FlaskForm):
    phase = SelectField(_l("Phase du territoire"), choices=[(p, PHASE_LABELS[p]) for p in PHASES])
    submit = SubmitField(_l("Changer de phase"))


@bp.get("/t/<slug>/contract")
@login_required
def contract_page(slug: str):
    where = access(current_user, slug)
    if request.args.get("partial") == "versions":
        return render_template("contract_versions_list.html", versions=_versions(where),
                               version=None, territory=where.territory)
    seq = events.latest_seq(where.territory.id)  # the live page catches up from here
    version = request.args.get("version") or None
    try:
        document = contract.assemble(where, version)
    except Invalid as exc:  # a version that is not a number names no version
        raise NotFound(exc.message) from None
    shown = {"document": document, "territory": where.territory,
             "edit_links": where.is_facilitator and version is None,
             "section_titles": contract.SECTION_TITLES}
    html = render_template("contract_document.html", **shown)
    etag = generate_etag(html.encode("utf-8"))
    if request.args.get("partial"):
        # The open page polls this (section texts, frameworks and the diagnostic have no
        # event of their own): unchanged, it answers 304 and the page keeps what it shows.
        response = make_response(html)
        response.set_etag(etag)
        return response.make_conditional(request)
    return render_template(
        "contract.html", where=where, version=version and int(version),
        versions=_versions(where), seq=seq, document_html=Markup(html),
        document_etag=quote_etag(etag),
        freeze_form=FreezeForm(), phase_form=PhaseForm(phase=where.territory.phase), **shown)


def _versions(where) -> list[dict]:
    """As the API shows them, with their date for the page to format."""
    return [{**contract.serialise_version(v), "created_at": v.created_at}
            for v in contract.versions(where)]


@bp.post("/t/<slug>/phase")
@login_required
def change_phase(slug: str):
    where = access(current_user, slug)
    form = PhaseForm()
    if form.validate_on_submit():
        attempt(lambda: territories.set_phase(where, PhaseInput(phase=form.phase.data)),
                _("Phase mise à jour."))
    return redirect(url_for("web.contract_page", slug=slug))


@bp.route("/t/<slug>/contract/sections/<key>", methods=["GET", "POST"])
@login_required
def contract_section(slug: str, key: str):
    where = access(current_user, slug)
    where.require("facilitator")
    if key not in SECTION_KEYS:
        raise NotFound(_l("Section introuvable."))
    form = SectionForm(body=contract.sections(where)[key])
    status = 200
    if form.validate_on_submit():
        status = refusal(form, lambda: contract.set_section(where, key,
                                                             SectionInput(body=form.body.data)))
        if status is None:
            flash(_("Section enregistrée."), "success")
            return redirect(url_for("web.contract_page", slug=slug, _anchor=f"s-{key}"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "contract_section.html", where=where, territory=where.territory, form=form, key=key,
        title=contract.SECTION_TITLES[key], hint=contract.SECTION_HINTS[key]), status


@bp.route("/t/<slug>/contract/frameworks", methods=["GET", "POST"])
@login_required
def contract_frameworks(slug: str):
    where = access(current_user, slug)
    where.require("facilitator")
    form = FrameworkForm()
    status = 200
    if form.validate_on_submit():
        status = refusal(form, lambda: contract.save_framework(where, form.data_for_service()))
        if status is None:
            flash(_("Dispositif ajouté."), "success")
            return redirect(url_for("web.contract_frameworks", slug=slug))
    elif request.method == "POST":
        status = 400
    return render_template(
        "contract_frameworks.html", where=where, territory=where.territory, form=form,
        frameworks=[contract.serialise_framework(f) for f in contract.frameworks(where)],
        labels=contract.FRAMEWORK_LABELS), status


@bp.route("/t/<slug>/contract/frameworks/<int:framework_id>", methods=["GET", "POST"])
@login_required
def contract_framework(slug: str, framework_id: int):
    where = access(current_user, slug)
    where.require("facilitator")
    framework = contract.get_framework(where, framework_id)
    form = FrameworkForm(obj=framework)
    status = 200
    if form.validate_on_submit():
        status = refusal(form, lambda: contract.save_framework(
            where, form.data_for_service(), framework_id))
        if status is None:
            flash(_("Dispositif mis à jour."), "success")
            return redirect(url_for("web.contract_frameworks", slug=slug))
    elif request.method == "POST":
        status = 400
    return render_template("contract_framework.html", where=where, territory=where.territory,
                           form=form, framework=framework), status


@bp.post("/t/<slug>/contract/frameworks/<int:framework_id>/delete")
@login_required
def delete_contract_framework(slug: str, framework_id: int):
    where = access(current_user, slug)
    if FlaskForm().validate_on_submit():
        attempt(lambda: contract.delete_framework(where, framework_id), _("Dispositif supprimé."))
    return redirect(url_for("web.contract_frameworks", slug=slug))


@bp.post("/t/<slug>/contract/versions")
@login_required
def freeze_contract(slug: str):
    where = access(current_user, slug)
    form = FreezeForm()
    if form.validate_on_submit():
        attempt(lambda: contract.freeze(where, VersionInput(note=form.note.data)),
                lambda version: _("Version %(n)d figée.", n=version.number))
    return redirect(url_for("web.contract_versions", slug=slug))


@bp.get("/t/<slug>/contract/versions")
@login_required
def contract_versions(slug: str):
    """The versions, and the comparison of two of them (or of one with the draft)."""
    where = access(current_user, slug)
    items = _versions(where)
    args = request.args
    comparison = None
    if args.get("from"):
        comparison, refused = outcome(
            lambda: contract.diff(where, args.get("from"), args.get("to") or "draft"))
        if refused is not None:
            form_error(None, refused)
    return render_template(
        "contract_versions.html", where=where, territory=where.territory,
        versions=items, comparison=comparison,
        chosen_from=args.get("from") or (str(items[-1]["number"]) if items else ""),
        chosen_to=args.get("to") or "draft", freeze_form=FreezeForm())
