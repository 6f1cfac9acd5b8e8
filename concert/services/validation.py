"""Checks of user input shared by every service. They raise Invalid with the field's name."""
from __future__ import annotations

from datetime import date
from functools import cache
import re
from typing import Any, Iterable
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l

from .errors import Invalid

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# The widest integer both databases take: SQLite's driver raises on a larger Python int
# instead of matching nothing.
MAX_INT = 2**63 - 1
_INTEGER_RE = re.compile(r"-?[0-9]+")


def text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL stores no NUL character
        raise Invalid(_l("Ce champ doit être du texte."), field=field)
    unicode(value, field)
    value = value.strip()
    if required and not value:
        raise Invalid(_l("Ce champ est obligatoire."), field=field)
    if len(value) > max_length:
        raise Invalid(
            _l("Ce champ dépasse %(max)d caractères.", max=max_length), field=field
        )
    return value


def unicode(value: Any, field: str | None = None) -> Any:
    """Every string in a request (JSON body, socket event) must be encodable: JSON lets a
    lone surrogate ("\\ud800") through, which no database stores."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid(_l("Texte invalide : caractère Unicode isolé."), code="invalid_text",
                          field=field) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            unicode(key, field)
            unicode(item, field or (key if isinstance(key, str) and key.isidentifier()
                                    else None))
    elif isinstance(value, list):
        for item in value:
            unicode(item, field)
    return value


def integer(value: Any, field: str) -> int:
    """An int, or a string of ASCII digits (query strings, forms), that a database can compare."""
    if isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_INT - 1 <= value <= MAX_INT:
        raise Invalid(_l("Nombre entier attendu."), field=field)
    return value


def is_id(value: Any) -> bool:
    """Whether a row could have this id: anything else finds nothing, without a query."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INT


def email(value: Any, field: str = "email") -> str:
    value = text(value, field, max_length=254).lower()
    if not EMAIL_RE.match(value):
        raise Invalid(_l("Adresse e-mail invalide."), field=field)
    return value


def password(value: Any, field: str = "password") -> str:
    if not isinstance(value, str):
        raise Invalid(_l("Ce champ doit être du texte."), field=field)
    if len(value) < MIN_PASSWORD:
        raise Invalid(
            _l("Le mot de passe doit faire au moins %(min)d caractères.", min=MIN_PASSWORD),
            field=field,
        )
    if len(value) > MAX_PASSWORD:
        raise Invalid(_l("Mot de passe trop long."), field=field)
    return value


def day(value: Any, field: str) -> date | None:
    """A date as AAAA-MM-JJ; absent or blank is none."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(_l("Date attendue au format AAAA-MM-JJ."), field=field)


def number(value: Any, field: str, *, required: bool = False) -> float | None:
    """A finite number, or its French writing ("1 234,5"); absent or blank is none unless
    `required`."""
    if value in (None, "") and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Invalid(_l("Nombre attendu."), field=field)
    try:
        number = float(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        raise Invalid(_l("Nombre attendu."), field=field) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Invalid(_l("Nombre attendu."), field=field)
    return number


def choice(value: Any, field: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise Invalid(
            _l("Valeur invalide ; valeurs possibles : %(values)s.", values=", ".join(allowed)),
            field=field,
        )
    return value


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA names zoneinfo knows (read once: the list is read from disk)."""
    return tuple(sorted(name for name in available_timezones() if name == "UTC" or (
        "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/")))))


def time_zone(value: Any, field: str = "time_zone") -> str:
    """An IANA time zone name, such as Europe/Paris or America/Cayenne."""
    if not isinstance(value, str) or value not in time_zones():
        raise Invalid(_l("Fuseau horaire inconnu (nom IANA attendu, par exemple "
                         "Europe/Paris)."), field=field)
    return value
