"""Forms collect and carry CSRF; the rules on their values live in services/."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from ..labels import KIND_LABELS, ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired()],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Se connecter"))


class NewAccountForm(FlaskForm):
    name = StringField(_l("Nom et prénom"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    password = PasswordField(
        _l("Mot de passe (12 caractères minimum)"), validators=[DataRequired()],
        render_kw={"autocomplete": "new-password", "minlength": 12},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(), EqualTo("password", _l("Les mots de passe diffèrent."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Rejoindre le territoire"))


class ExistingAccountForm(FlaskForm):
    password = PasswordField(_l("Mot de passe de votre compte"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Rejoindre le territoire"))


class ConfirmForm(FlaskForm):
    """A bare form: a button that carries the CSRF token."""
    submit = SubmitField(_l("Confirmer"))


def _choices(labels: dict) -> list[tuple[str, str]]:
    return list(labels.items())


class InviteForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired()])
    role = SelectField(_l("Rôle"), choices=_choices(ROLE_LABELS), default="actor")
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)],
                               description=_l("Par exemple : DDPN des Bouches-du-Rhône"))
    organisation_kind = SelectField(_l("Type d'organisation"), choices=_choices(KIND_LABELS))
    submit = SubmitField(_l("Créer l'invitation"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=_choices(ROLE_LABELS))
    submit = SubmitField(_l("Changer le rôle"))


class TerritoryForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Identifiant (adresse)"), validators=[DataRequired(), Length(max=64)],
                       description=_l("Lettres minuscules, chiffres et tirets, ex. : marseille"))
    departement = StringField(_l("Code du département"), validators=[Length(max=3)])
    communes = StringField(_l("Communes (codes INSEE, séparés par des virgules)"))
    submit = SubmitField(_l("Créer le territoire"))


class LanguageForm(FlaskForm):
    lang = HiddenField()


class TokenForm(FlaskForm):
    label = StringField(_l("Nom du jeton"), validators=[Length(max=120)],
                        description=_l("Pour le reconnaître, par exemple : script d'export"))
    expires_in_days = SelectField(_l("Validité"), default="90", choices=[
        ("30", _l("30 jours")), ("90", _l("90 jours")), ("365", _l("1 an")),
        ("", _l("Jusqu'à sa révocation"))])
    # As on the API: a new credential takes the password, not only a (perhaps stolen) session.
    password = PasswordField(_l("Votre mot de passe"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Créer le jeton"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail de votre compte"), validators=[DataRequired()],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Recevoir un lien"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nouveau mot de passe (12 caractères minimum)"), validators=[DataRequired()],
        render_kw={"autocomplete": "new-password", "minlength": 12},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(), EqualTo("password", _l("Les mots de passe diffèrent."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Changer le mot de passe"))


class EmailChangeForm(FlaskForm):
    # Ids of their own: the account page holds other forms with the same field names.
    email = EmailField(_l("Nouvelle adresse e-mail"), validators=[DataRequired()],
                       id="new-email", render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()],
                             id="email-password", render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Changer d'adresse"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Nom et prénom"), validators=[DataRequired(), Length(max=120)],
                       id="profile-name", render_kw={"autocomplete": "name"})
    language = SelectField(_l("Langue de l'interface et des messages"), id="profile-language",
                           choices=[("fr", "Français"), ("en", "English")])
    time_zone = SelectField(_l("Fuseau horaire"), id="profile-time-zone", description=_l(
        "Les dates et heures vous sont montrées dans ce fuseau (par exemple "
        "America/Cayenne en Guyane)."))
    submit = SubmitField(_l("Enregistrer"), id="profile-submit")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Ancien mot de passe"),
                                     validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("Nouveau mot de passe (12 caractères minimum)"), validators=[DataRequired()],
        render_kw={"autocomplete": "new-password", "minlength": 12})
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"), id="new-password-confirm",
        validators=[DataRequired(), EqualTo("new_password", _l("Les mots de passe diffèrent."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Changer le mot de passe"), id="password-submit")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Mot de passe du compte, pour confirmer"),
                             validators=[DataRequired()], id="delete-password",
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(
        _l("Je comprends que mon compte sera supprimé définitivement ; mes contributions "
           "resteront, signées « Ancien membre »."),
        validators=[DataRequired(_l("Cochez cette case pour confirmer."))])
    submit = SubmitField(_l("Supprimer mon compte"), id="delete-submit")
