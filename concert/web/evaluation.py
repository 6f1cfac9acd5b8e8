"""After signature: the avenants page, the governance page and the yearly evaluation page
(its years, their files and syntheses, the measurements due)."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from ..schemas.evaluation import AmendmentInput, GovernanceInput, SynthesisInput
from ..services import amendments, evaluation, governance
from ..services.access import access
from ..services.errors import Invalid
from . import bp
from .exports import REPORT_FORMATS
from .feedback import attempt, form_error, outcome, refusal


class AmendmentForm(FlaskForm):
    note = StringField(_l("Note"), description=_l("Par exemple : « approuvé en comité de "
                                                  "pilotage du 12 mars »."))
    submit = SubmitField(_l("Établir l'avenant"))


class GovernanceForm(FlaskForm):
    chair = StringField(_l("Présidence"), description=_l("Par exemple : « coprésidé par le "
                                                         "préfet et le maire »."))
    composition = TextAreaField(
        _l("Composition"), render_kw={"rows": 8},
        description=_l("Une ligne par membre : organisation, puis « : » et sa qualité "
                       "(par exemple « Parquet de Marseille : procureur de la République »)."))
    frequency = StringField(_l("Fréquence des réunions"),
                            description=_l("Par exemple : « deux fois par an »."))
    clspd_link = TextAreaField(_l("Articulation avec le CLSPD / CISPD"), render_kw={"rows": 3})
    missions = TextAreaField(_l("Missions"), render_kw={"rows": 4})
    submit = SubmitField(_l("Enregistrer"))

    def data_for_service(self) -> GovernanceInput:
        members = []
        for line in (self.composition.data or "").splitlines():
            organisation, _sep, quality = line.partition(":")
            if organisation.strip():
                members.append({"organisation": organisation.strip(), "quality": quality.strip()})
        return GovernanceInput(chair=self.chair.data or "", composition=members,
                               frequency=self.frequency.data or "",
                               clspd_link=self.clspd_link.data or "",
                               missions=self.missions.data or "")

    def fill(self, body: dict) -> None:
        self.chair.data, self.frequency.data = body["chair"], body["frequency"]
        self.clspd_link.data, self.missions.data = body["clspd_link"], body["missions"]
        self.composition.data = "\n".join(
            f"{m['organisation']} : {m['quality']}" if m["quality"] else m["organisation"]
            for m in body["composition"])


class SynthesisForm(FlaskForm):
    body = TextAreaField(_l("Synthèse des animateurs (Markdown)"), render_kw={"rows": 10})
    submit = SubmitField(_l("Enregistrer la synthèse"))


# --- avenants --------------------------------------------------------------------------------

@bp.get("/t/<slug>/amendments")
@login_required
def amendments_page(slug: str):
    where = access(current_user, slug)
    signature = amendments.signature_of(where.territory)
    pending, refused = outcome(lambda: amendments.pending(where))
    return render_template(
        "amendments.html", where=where, territory=where.territory, signature=signature,
        items=[{**amendments.serialise(a, signature), "created_at": a.created_at}
               for a in amendments.amendments(where)],
        articles=_articles(pending) if pending is not None else [], refused=refused,
        form=AmendmentForm(), formats=REPORT_FORMATS)


def _articles(pending: dict) -> list:
    """The next avenant's articles, in French as the avenant will state them."""
    with force_locale("fr"):
        return amendments.articles(pending)


@bp.post("/t/<slug>/amendments")
@login_required
def freeze_amendment(slug: str):
    where = access(current_user, slug)
    form = AmendmentForm()
    if form.validate_on_submit():
        attempt(lambda: amendments.freeze(where, AmendmentInput(note=form.note.data or "")),
                lambda amendment: _("Avenant n° %(n)d établi.", n=amendment.number))
    return redirect(url_for("web.amendments_page", slug=slug))


# --- governance ------------------------------------------------------------------------------

@bp.route("/t/<slug>/governance", methods=["GET", "POST"])
@login_required
def governance_page(slug: str):
    where = access(current_user, slug)
    bodies = {kind: governance.serialise_body(kind, body)
              for kind, body in governance.bodies(where).items()}
    forms, status = {}, 200
    for kind, body in bodies.items():
        forms[kind] = GovernanceForm(prefix=kind)
        if request.method == "GET" or request.form.get("kind") != kind:
            forms[kind].fill(body)
    kind = request.form.get("kind")
    if request.method == "POST":
        where.require("facilitator")
        form = forms.get(kind)
        if form is None or not form.validate_on_submit():
            status = 400
        else:
            try:
                data = form.data_for_service()
            except Invalid as exc:
                form_error(form, exc)
                status = 422
            else:
                status = refusal(form, lambda: governance.save(where, kind, data))
            if status is None:
                flash(_("Instance enregistrée."), "success")
                return redirect(url_for("web.governance_page", slug=slug, _anchor=kind))
    return render_template("governance.html", where=where, territory=where.territory,
                           bodies=bodies, forms=forms, names=governance.BODY_NAMES,
                           hints=governance.BODY_HINTS), status


# --- the yearly evaluation -------------------------------------------------------------------

@bp.get("/t/<slug>/evaluation")
@login_required
def evaluation_page(slug: str):
    where = access(current_user, slug)
    today = date.today()
    texts = evaluation.syntheses(where)
    years = evaluation.years(where, today)
    forms = {year: SynthesisForm(prefix=f"y{year}", body=texts.get(year, "")) for year in years}
    return render_template("evaluation.html", where=where, territory=where.territory,
                           years=list(reversed(years)), texts=texts, forms=forms,
                           formats=REPORT_FORMATS,
                           due=evaluation.due_measurements(where.territory, today))


@bp.post("/t/<slug>/evaluation/<int:year>/synthesis")
@login_required
def evaluation_synthesis(slug: str, year: int):
    where = access(current_user, slug)
    form = SynthesisForm(prefix=f"y{year}")
    if form.validate_on_submit():
        attempt(lambda: evaluation.set_synthesis(where, year, SynthesisInput(body=form.body.data),
                                                 date.today()),
                _("Synthèse %(year)d enregistrée.", year=year))
    return redirect(url_for("web.evaluation_page", slug=slug, _anchor=f"year-{year}"))
