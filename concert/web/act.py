"""The act's page (facilitators): the parties who sign, the visas and final provisions, and
the axes the contract groups its commitments by. Forms only: it works without JavaScript."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from ..labels import SIGNATORY_ROLES
from ..schemas.act import ActInput, AxesInput, SignatoryInput
from ..services import act
from ..services.access import access
from . import bp
from .feedback import attempt, refusal


class SignatoryForm(FlaskForm):
    role = SelectField(_l("Partie"), choices=list(SIGNATORY_ROLES.items()))
    organisation = StringField(_l("Organisation, telle que l'acte la nomme"),
                               description=_l("Par exemple : l'État, la commune de Marseille, "
                                              "la métropole Aix-Marseille-Provence"))
    person = StringField(_l("Signataire"), description=_l("Par exemple : Mme Claire Martin"))
    quality = StringField(_l("Qualité"), description=_l(
        "Par exemple : préfète de la région Provence-Alpes-Côte d'Azur, préfète des "
        "Bouches-du-Rhône"))
    deliberation_number = StringField(_l("Délibération : numéro"))
    deliberation_date = DateField(_l("Délibération : date"), validators=[Optional()])
    position = IntegerField(_l("Ordre dans l'acte"), validators=[Optional()])
    submit = SubmitField(_l("Enregistrer le signataire"))

    def data_for_service(self) -> dict:
        data = {key: getattr(self, key).data or "" for key in (
            "role", "organisation", "person", "quality", "deliberation_number")}
        data["deliberation_date"] = (self.deliberation_date.data.isoformat()
                                     if self.deliberation_date.data else None)
        if self.position.data is not None:
            data["position"] = self.position.data
        return data


class ActForm(FlaskForm):
    place = StringField(_l("Lieu de signature"))
    signed_on = DateField(_l("Date de signature"), validators=[Optional()])
    originals = StringField(_l("Nombre d'exemplaires originaux"),
                            description=_l("Sans nombre : un par signataire."))
    effective_on = DateField(_l("Date d'effet"), validators=[Optional()],
                             description=_l("Sans date : la signature de la dernière partie."))
    ends_on = DateField(_l("Fin du contrat"), validators=[Optional()],
                        description=_l("Sans date : le terme du mandat municipal 2026-2032."))
    notice_months = StringField(_l("Préavis de résiliation (mois)"))
    court = StringField(_l("Juridiction compétente"),
                        description=_l("Sans texte : le tribunal administratif du département."))
    visas = TextAreaField(_l("Visas (un par ligne)"), render_kw={"rows": 6}, description=_l(
        "Laissez vide pour les visas par défaut ; ceux des dispositifs intégrés sont ajoutés."))
    submit = SubmitField(_l("Enregistrer les dispositions"))

    def data_for_service(self) -> dict:
        day = lambda value: value.isoformat() if value else None
        lines = [line.strip() for line in (self.visas.data or "").splitlines() if line.strip()]
        return {"place": self.place.data or "", "signed_on": day(self.signed_on.data),
                "originals": self.originals.data or None,
                "effective_on": day(self.effective_on.data), "ends_on": day(self.ends_on.data),
                "notice_months": self.notice_months.data or None,
                "court": self.court.data or "", "visas": lines or None}


def _act_form(where) -> ActForm:
    row = act.settings(where)
    return ActForm(place=row.place, signed_on=row.signed_on,
                   originals=str(row.originals or ""), effective_on=row.effective_on,
                   ends_on=row.ends_on, notice_months=str(row.notice_months),
                   court=row.court, visas="\n".join(row.visas or []))


def _page(where, status: int = 200, **forms):
    rows = act.signatories(where)
    counts = act.axis_counts(where)
    edit_forms = {row.id: SignatoryForm(obj=row, prefix=f"s{row.id}") for row in rows}
    return render_template(
        "contract_act.html", where=where, territory=where.territory,
        signatories=[(row, act.party_text(row), edit_forms[row.id]) for row in rows],
        add_form=forms.get("add_form") or SignatoryForm(prefix="new"),
        act_form=forms.get("act_form") or _act_form(where),
        default_visas=act.default_visas(),
        axes=[{**axis, "commitments": counts.get(axis["key"], 0)} for axis in act.axes(where)],
        ), status


def _back(slug: str, anchor: str):
    return redirect(url_for("web.contract_act", slug=slug, _anchor=anchor))


@bp.get("/t/<slug>/contract/act")
@login_required
def contract_act(slug: str):
    where = access(current_user, slug)
    where.require("facilitator")
    return _page(where)


@bp.post("/t/<slug>/contract/act")
@login_required
def save_contract_act(slug: str):
    where = access(current_user, slug)
    where.require("facilitator")
    form = ActForm()
    if not form.validate_on_submit():
        return _page(where, 400, act_form=form)
    status = refusal(form, lambda: act.save_settings(where, ActInput(**form.data_for_service())))
    if status:
        return _page(where, status, act_form=form)
    flash(_("Dispositions enregistrées."), "success")
    return _back(slug, "settings")


@bp.post("/t/<slug>/contract/act/signatories")
@login_required
def add_signatory(slug: str):
    where = access(current_user, slug)
    where.require("facilitator")
    form = SignatoryForm(prefix="new")
    if not form.validate_on_submit():
        return _page(where, 400, add_form=form)
    status = refusal(form, lambda: act.save_signatory(
        where, SignatoryInput(**form.data_for_service())))
    if status:
        return _page(where, status, add_form=form)
    flash(_("Signataire ajouté."), "success")
    return _back(slug, "signatories")


@bp.post("/t/<slug>/contract/act/signatories/<int:signatory_id>")
@login_required
def update_signatory(slug: str, signatory_id: int):
    where = access(current_user, slug)
    form = SignatoryForm(prefix=f"s{signatory_id}")
    if form.validate_on_submit():
        attempt(lambda: act.save_signatory(where, SignatoryInput(**form.data_for_service()),
                                           signatory_id), _("Signataire mis à jour."))
    return _back(slug, "signatories")


@bp.post("/t/<slug>/contract/act/signatories/<int:signatory_id>/delete")
@login_required
def delete_signatory(slug: str, signatory_id: int):
    where = access(current_user, slug)
    if FlaskForm().validate_on_submit():
        attempt(lambda: act.delete_signatory(where, signatory_id), _("Signataire retiré."))
    return _back(slug, "signatories")


@bp.post("/t/<slug>/contract/act/axes")
@login_required
def save_axes(slug: str):
    """One text field per axis (`axis-<key>`, emptied to remove it) and blank ones
    (`new-axis`) to add some."""
    where = access(current_user, slug)
    if FlaskForm().validate_on_submit():
        items = [{"key": axis["key"], "label": request.form.get(f"axis-{axis['key']}", "")}
                 for axis in act.axes(where)]
        items = [item for item in items if item["label"].strip()]
        items += [{"label": label} for label in request.form.getlist("new-axis")
                  if label.strip()]
        attempt(lambda: act.save_axes(where, AxesInput(axes=items)), _("Axes enregistrés."))
    return _back(slug, "axes")
