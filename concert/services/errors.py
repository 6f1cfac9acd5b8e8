"""Errors raised by services; every adapter maps them the same way (API: JSON + status)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message  # may be a lazy translation, rendered at answer time
        if code:
            self.code = code
        self.field = field

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": str(self.message)}
        if self.field:
            error["field"] = self.field
        return {"error": error}


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Invalid(ServiceError):
    status, code = 422, "invalid"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class Gone(ServiceError):
    status, code = 410, "gone"


class Unavailable(ServiceError):
    """The database (or the message queue) does not answer for now: try again shortly."""

    status, code = 503, "unavailable"
    RETRY_AFTER = 5  # seconds, said to HTTP clients in `Retry-After`

    def __init__(self, message=None, **kwargs) -> None:
        super().__init__(message or _l("Service momentanément indisponible : réessayez dans "
                                       "quelques secondes."), **kwargs)


class TooManyRequests(ServiceError):
    status, code = 429, "rate_limited"
