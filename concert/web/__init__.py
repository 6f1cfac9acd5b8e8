"""HTML pages: forms → service → template."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from . import facilitation, routes  # noqa: E402,F401
