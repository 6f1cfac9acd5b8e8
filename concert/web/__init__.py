"""HTML pages: forms → service → template."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from . import (  # noqa: E402,F401
    account, calendar, contract, diagnostic, exports, facilitation, mail, routes, workshops,
)
