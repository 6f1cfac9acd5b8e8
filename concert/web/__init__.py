"""HTML pages: forms → service → template."""
from flask import Blueprint

from ..exports.html import FILTERS

bp = Blueprint("web", __name__)
for _name, _filter in FILTERS.items():  # templates/_document.html, shared with the export
    bp.add_app_template_filter(_filter, _name)

from . import (  # noqa: E402,F401
    account, act, admin, calendar, contract, diagnostic, evaluation, exports, facilitation,
    mail, notifications, routes, search, workshops,
)
