"""How pages report a service's answer to a form: beside the field, or as a message."""
from __future__ import annotations

from typing import Callable

from flask import flash

from ..services.errors import ServiceError


def form_error(form, exc: ServiceError) -> None:
    """Shows a service's refusal beside the field it concerns, or at the top of the page."""
    field = getattr(form, exc.field, None) if form is not None and exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc.message)]
    else:
        flash(str(exc.message), "error")


def attempt(action: Callable[[], object], success: str) -> bool:
    """Runs a service call posted by a button: a refusal the user can act on is flashed;
    forbidden and not found go to the error page like any other request."""
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(str(exc.message), "error")
        return False
    flash(success, "success")
    return True


def refusal(form, action: Callable[[], object]) -> int | None:
    """Runs a service call submitted by a form. On a refusal the user can act on, the message
    goes beside its field and the status to show the form again with is returned; forbidden
    and not found go to the error page like any other request."""
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form_error(form, exc)
        return exc.status
    return None
