"""HTML pages: forms → service → template."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from . import account, contract, diagnostic, exports, facilitation, mail, routes, workshops  # noqa: E402,F401
