"""The shared diagnostic page: indicators (tables and charts), SSMSI import, the organisations'
means and methods, facilitators' observations, and the needs raised."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import communes, uploads
from ..schemas.diagnostic import EntryInput, ObservationInput
from ..services import diagnostic
from ..services.access import access
from ..services.errors import Invalid
from . import bp
from .feedback import form_error, refusal


bp.add_app_template_filter(communes.label, "commune")  # "Marseille (13055)"


bp.add_app_template_filter(diagnostic.signed, "signed")  # +4,2 / -3,0


# A file read in this time answers at once, as before; a longer import gets a status page.
WAIT_FOR_IMPORT = 3.0


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV d'une base SSMSI"),
                     validators=[FileRequired(_l("Choisissez un fichier."))],
                     description=_l("Séparateur « ; », UTF-8 ou Latin-1. Base communale : seules "
                                    "les lignes des communes du territoire sont conservées. "
                                    "Base départementale : celles de ses départements et le "
                                    "total de la France, pour comparer. L'import remplace les "
                                    "données précédentes de la même base."),
                     render_kw={"accept": ".csv,text/csv"})
    kind = SelectField(_l("Base"), choices=[
        ("", _l("Reconnue d'après ses colonnes")), ("communal", _l("Base communale")),
        ("departmental", _l("Base départementale"))], default="")
    submit = SubmitField(_l("Importer"))


class EntryForm(FlaskForm):
    staff = TextAreaField(_l("Effectifs"), validators=[Length(max=5000)],
                          description=_l("Agents, équivalents temps plein, répartition."))
    equipment = TextAreaField(_l("Équipements"), validators=[Length(max=5000)],
                              description=_l("Véhicules, vidéoprotection, radios, locaux…"))
    hours = TextAreaField(_l("Horaires et amplitude"), validators=[Length(max=5000)])
    partnerships = TextAreaField(_l("Partenariats"), validators=[Length(max=5000)])
    schemes = TextAreaField(_l("Dispositifs existants"), validators=[Length(max=5000)],
                            description=_l("CLSPD, conventions, cellules de veille…"))
    notes = TextAreaField(_l("Remarques"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Enregistrer la fiche"))


class ObservationForm(FlaskForm):
    body = TextAreaField(_l("Observation (Markdown)"),
                         validators=[DataRequired(), Length(max=20_000)])
    entry = SelectField(_l("À propos de"))
    submit = SubmitField(_l("Ajouter l'observation"))


@bp.get("/t/<slug>/diagnostic")
@login_required
def diagnostic_page(slug: str):
    return _page(access(current_user, slug))


def _page(where, *, import_form=None, entry_form=None, observation_form=None,
          status: int = 200):
    diagnostic.require_member(where)
    territory = where.territory
    items = diagnostic.indicators(where)
    charts = {item["key"]: Markup(diagnostic.chart(item)) for item in items}
    entries = diagnostic.list_entries(where)
    own = diagnostic.own_entry(where)
    if diagnostic.can_edit_entry(where) and entry_form is None:
        entry_form = EntryForm(obj=own)
    if where.is_facilitator:
        import_form = import_form or ImportForm()
        observation_form = observation_form or ObservationForm()
        observation_form.entry.choices = [("", _("Le diagnostic dans son ensemble"))] + [
            (str(e.id), e.organisation) for e in entries]
    observations = diagnostic.list_observations(where)
    return render_template(
        "diagnostic.html", where=where, territory=territory, indicators=items, charts=charts,
        last_import=diagnostic.last_import(where),
        departmental_import=diagnostic.last_import(where, "departmental"),
        departements=[communes.departement_label(code)
                      for code in diagnostic.departements(territory)],
        evolution=diagnostic.evolution_text,
        commune_evolution=diagnostic.commune_evolution_text,
        rate_base=diagnostic.rate_base_label, counted=diagnostic.counted,
        entries=entries, own_entry=own, entry_labels=diagnostic.entry_labels(),
        entry_fields=diagnostic.ENTRY_FIELDS,
        general_observations=[o for o in observations if o.entry_id is None],
        entry_observations={e.id: [o for o in observations if o.entry_id == e.id]
                            for e in entries},
        needs=diagnostic.needs_by_channel(where), NEEDS_SHOWN=diagnostic.NEEDS_SHOWN,
        import_form=import_form,
        entry_form=entry_form, observation_form=observation_form,
    ), status


def _back(slug: str, anchor: str):
    return redirect(url_for("web.diagnostic_page", slug=slug, _anchor=anchor))


@bp.post("/t/<slug>/diagnostic/import")
@login_required
def diagnostic_import(slug: str):
    where = access(current_user, slug)
    diagnostic.require_importer(where)
    form = ImportForm()
    if form.validate_on_submit():
        job = uploads.import_in_background(where, form.file.data, wait=WAIT_FOR_IMPORT,
                                           kind=form.kind.data or None)
        if diagnostic.job_status(job) == "failed":  # a bad file is told beside the form
            form_error(form, Invalid(diagnostic.serialise_job(job)["error"], field="file"))
            return _page(where, import_form=form, status=422)
        return redirect(url_for("web.diagnostic_import_status", slug=slug, job_id=job.id),
                        code=303)
    return _page(where, import_form=form, status=400)


@bp.get("/t/<slug>/diagnostic/imports/<int:job_id>")
@login_required
def diagnostic_import_status(slug: str, job_id: int):
    """Where an import stands: while it runs, its progress (the page refreshes itself
    without JavaScript; static/js/import.js updates it in place otherwise); done, the
    diagnostic with the result; failed, the error."""
    where = access(current_user, slug)
    job = diagnostic.serialise_job(diagnostic.import_job(where, job_id))
    if job["status"] == "done":
        if job["import"]["kind"] == "departmental":
            flash(_("Import terminé : %(rows)d lignes conservées (départements du territoire et "
                    "France), %(skipped)d lignes d'autres départements ignorées.",
                    rows=job["kept"], skipped=job["skipped"]), "success")
        else:
            flash(_("Import terminé : %(rows)d lignes du territoire conservées, %(skipped)d "
                    "lignes d'autres communes ignorées.", rows=job["kept"],
                    skipped=job["skipped"]), "success")
        return redirect(url_for("web.diagnostic_page", slug=slug, _anchor="indicators"),
                        code=303)
    return render_template("diagnostic_import.html", where=where, territory=where.territory,
                           job=job, counts={name: format_decimal(job[name])
                                            for name in ("lines", "kept")})


@bp.post("/t/<slug>/diagnostic/entry")
@login_required
def diagnostic_entry(slug: str):
    where = access(current_user, slug)
    diagnostic.require_editor(where)
    form = EntryForm()
    if form.validate_on_submit():
        status = refusal(form, lambda: diagnostic.save_entry(where, EntryInput(**{
            name: getattr(form, name).data or "" for name in diagnostic.ENTRY_FIELDS})))
        if status is not None:
            return _page(where, entry_form=form, status=status)
        flash(_("Fiche de votre organisation enregistrée."), "success")
        return _back(slug, "qualitative")
    return _page(where, entry_form=form, status=400)


@bp.post("/t/<slug>/diagnostic/observations")
@login_required
def diagnostic_observation(slug: str):
    where = access(current_user, slug)
    diagnostic.require_observer(where)
    form = ObservationForm()
    form.entry.choices = [("", "")] + [(str(e.id), e.organisation)
                                       for e in diagnostic.list_entries(where)]
    if form.validate_on_submit():
        status = refusal(form, lambda: diagnostic.add_observation(where, ObservationInput(
            body=form.body.data, entry=form.entry.data)))
        if status is not None:
            return _page(where, observation_form=form, status=status)
        flash(_("Observation ajoutée."), "success")
        return _back(slug, "observations")
    return _page(where, observation_form=form, status=400)
