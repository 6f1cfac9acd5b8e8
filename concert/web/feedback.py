"""How every page answers a service's refusal — the one mapping for the `web` blueprint.

Forbidden (403) and not found (404) answer the error page, exactly as for any other request
(errors.py): a page never tells more about what the user may not see. Any other refusal is
something the user can act on: it is shown on the page they acted from, beside the field it
concerns or as a message at the top."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import flash

from ..services.errors import ServiceError

T = TypeVar("T")


def outcome(action: Callable[[], T]) -> tuple[T | None, ServiceError | None]:
    """The service call's result, or the refusal the page shows (403 and 404 propagate)."""
    try:
        return action(), None
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        return None, exc


def form_error(form, exc: ServiceError) -> None:
    """Shows a refusal beside the field it concerns, or at the top of the page."""
    field = getattr(form, exc.field, None) if form is not None and exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc.message)]
    else:
        flash(str(exc.message), "error")


def attempt(action: Callable[[], T], success: str | Callable[[T], str]) -> bool:
    """A service call posted by a button: its success or its refusal as a message."""
    result, refused = outcome(action)
    if refused is not None:
        form_error(None, refused)
        return False
    flash(success(result) if callable(success) else success, "success")
    return True


def refusal(form, action: Callable[[], Any]) -> int | None:
    """A service call submitted by a form: on a refusal, its message goes beside its field
    and the status to show the form again with is returned."""
    _result, refused = outcome(action)
    if refused is None:
        return None
    form_error(form, refused)
    return refused.status
