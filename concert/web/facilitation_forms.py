"""Forms of the facilitation pages. They carry CSRF and shape input; services judge it."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, FieldList, FormField, HiddenField, SelectField, StringField, SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from ..labels import COMMITMENT_STATUS_LABELS, FREQUENCY_LABELS, PARTY_LABELS


class IndicatorForm(FlaskForm):
    class Meta:
        csrf = False  # part of the commitment form, which carries the token

    id = HiddenField()
    name = StringField(_l("Indicateur"))
    unit = StringField(_l("Unité"))
    baseline = StringField(_l("Valeur de référence"))
    target = StringField(_l("Cible"))
    reference_year = StringField(_l("Année de référence"), render_kw={"inputmode": "numeric"})
    source = StringField(_l("Source des données"))
    # The choice is checked by the service's model (schemas/facilitation); the form's own
    # check refused the blank rows the page adds for more indicators.
    frequency = SelectField(_l("Fréquence de mesure"), validate_choice=False,
                            choices=[("", _l("non planifiée"))] + list(FREQUENCY_LABELS.items()))


class CommitmentForm(FlaskForm):
    title = StringField(_l("Intitulé"))
    party = SelectField(_l("Partie qui s'engage"), choices=list(PARTY_LABELS.items()))
    description = TextAreaField(_l("Description"))
    pilot = StringField(_l("Organisation pilote"))
    partners = TextAreaField(_l("Organisations partenaires"),
                             description=_l("Une par ligne."))
    channel = SelectField(_l("Domaine (canal)"), choices=[], validate_choice=False)
    axis = SelectField(_l("Axe du contrat"), choices=[], validate_choice=False,
                       description=_l("Sans axe choisi, celui du canal."))
    financing = StringField(_l("Source de financement"),
                            description=_l("Par exemple : FIPD, DETR, budget communal"),
                            render_kw={"list": "financing-suggestions"})
    target_area = StringField(_l("Zone ciblée"),
                              description=_l("Par exemple : QPV Malpassé, QRR Marseille nord"))
    framework = SelectField(_l("Dispositif servi"), choices=[], validate_choice=False)
    actions = TextAreaField(_l("Actions"), description=_l("Une action par ligne."))
    staff = StringField(_l("Moyens humains"))
    budget = StringField(_l("Budget"))
    equipment = StringField(_l("Équipements"))
    start_date = DateField(_l("Début"), validators=[Optional()])
    due_date = DateField(_l("Échéance"), validators=[Optional()])
    indicators = FieldList(FormField(IndicatorForm), min_entries=1)
    submit = SubmitField(_l("Enregistrer l'engagement"))

    def data_for_service(self) -> dict:
        lines = lambda text: [line.strip() for line in (text or "").splitlines() if line.strip()]
        indicators = []
        for entry in self.indicators.entries:
            row = entry.form
            if (row.name.data or "").strip():
                indicator = {"name": row.name.data, "unit": row.unit.data or "",
                             "baseline": row.baseline.data or None,
                             "target": row.target.data or None,
                             "reference_year": row.reference_year.data or None,
                             "source": row.source.data or "",
                             "frequency": row.frequency.data or None}
                if (row.id.data or "").isdigit():
                    indicator["id"] = int(row.id.data)
                indicators.append(indicator)
        return {
            "title": self.title.data, "party": self.party.data,
            "description": self.description.data or "", "pilot": self.pilot.data or "",
            "partners": lines(self.partners.data), "actions": lines(self.actions.data),
            "channel": int(self.channel.data) if (self.channel.data or "").isdigit() else None,
            "means": {"staff": self.staff.data or "", "budget": self.budget.data or "",
                      "equipment": self.equipment.data or ""},
            "start_date": self.start_date.data.isoformat() if self.start_date.data else None,
            "due_date": self.due_date.data.isoformat() if self.due_date.data else None,
            "indicators": indicators,
            "axis": self.axis.data or None, "financing": self.financing.data or "",
            "target_area": self.target_area.data or "",
            "framework": int(self.framework.data) if (self.framework.data or "").isdigit()
            else None,
        }


class StatusForm(FlaskForm):
    status = SelectField(_l("Nouveau statut"), choices=list(COMMITMENT_STATUS_LABELS.items()))
    abandon_reason = TextAreaField(_l("Motif (obligatoire pour un abandon)"))
    submit = SubmitField(_l("Changer le statut"))


class MeasurementForm(FlaskForm):
    indicator = SelectField(_l("Indicateur"), choices=[], validate_choice=False)
    date = DateField(_l("Date de la mesure"), validators=[Optional()])
    value = StringField(_l("Valeur"))
    comment = StringField(_l("Commentaire"))
    submit = SubmitField(_l("Enregistrer la mesure"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Motif du refus (visible par tous)"))
    submit = SubmitField(_l("Écarter"))


class MergeForm(FlaskForm):
    into = StringField(_l("Fusionner la sélection dans la contribution n°"))
    submit = SubmitField(_l("Fusionner"))
