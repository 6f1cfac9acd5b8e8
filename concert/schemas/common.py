"""What every area shares: the base models, the error answer, lists, and the input types
whose checks are the services' own (services/validation.py), so that a refusal keeps the
SPEC's code, field and French message whichever adapter built the model."""
from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from pydantic import ValidationInfo

from ..services import validation
from ..services.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def _without_absent_defaults(schema: dict) -> None:
    """A field that may be left out is not therefore null: no `"default": null` beside a
    type that has no null (OpenAPI validators refuse it)."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and "anyOf" not in prop:
            del prop["default"]


class Input(BaseModel):
    """A request body. Fields it does not name are ignored, as they always were. Built by
    any adapter (`PostInput(**data)`), a refusal is the service error every adapter maps
    (422 `invalid` with the field), never pydantic's own."""

    model_config = ConfigDict(json_schema_extra=_without_absent_defaults)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _refusal(exc.errors()[0]) from None


class Closed(Input):
    """A request body whose unknown fields are refused (422, `field`): those that change a
    record field by field, where a misspelt field would silently change nothing."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """An answer: the tests validate every answer against its model, so a field the model
    does not declare fails them (the OpenAPI document would not describe it)."""

    model_config = ConfigDict(extra="forbid")


class Loose(BaseModel):
    """A nested object whose keys are data (before/after of an audit entry, …)."""

    model_config = ConfigDict(extra="allow")


class ErrorDetail(Output):
    code: str
    message: str
    field: str | None = None


class Error(Output):
    """Every 4xx and 5xx of /api/v1: `{"error": {"code", "message", "field"?}}`."""

    model_config = ConfigDict(extra="allow")  # /healthz adds its checks beside it
    error: ErrorDetail


_LISTS: dict[type, type] = {}


def items_of(model: type[BaseModel], **extra: Any) -> type[Output]:
    """`{"items": [model…]}` (plus `extra` fields), named `<Model>List` in OpenAPI."""
    name = f"{model.__name__}List"
    if not extra and model in _LISTS:
        return _LISTS[model]
    listed = create_model(name, __base__=Output, items=(list[model], ...), **extra)
    if not extra:
        _LISTS[model] = listed
    return listed


# --- input types ----------------------------------------------------------------------------

def text(max_length: int, *, required: bool = True):
    """A string, stripped; required means not blank. The service's own message and field."""
    def check(value: Any, info: ValidationInfo) -> str:
        return validation.text(value, info.field_name, max_length=max_length,
                               required=required)

    return Annotated[str, BeforeValidator(check),
                     Field(max_length=max_length, min_length=1 if required else 0)]


def _integer(value: Any, info: ValidationInfo) -> int:
    return validation.integer(value, info.field_name)


def _identifier(value: Any, info: ValidationInfo) -> int:
    """An id: an integer (a larger or smaller one finds nothing, as before: 404)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_l("Nombre entier attendu."), field=info.field_name)
    return value


def _optional_integer(value: Any, info: ValidationInfo) -> int | None:
    return None if value in (None, "") else validation.integer(value, info.field_name)


Integer = Annotated[int, BeforeValidator(_integer)]
OptionalInteger = Annotated[int | None, BeforeValidator(_optional_integer)]
Id = Annotated[int, BeforeValidator(_identifier)]


def parse(model: type[M], data: Any) -> M:
    """`model` from a request's JSON object."""
    if not isinstance(data, dict):
        raise Invalid(_l("Objet attendu."))
    return model(**data)


def _refusal(error: dict) -> Invalid:
    field = next((str(part) for part in error["loc"] if isinstance(part, str)), None)
    kind = error["type"]
    if kind == "missing":
        return Invalid(_l("Ce champ est obligatoire."), field=field)
    if kind == "extra_forbidden":
        return Invalid(_l("Champ inconnu : %(field)s.", field=field), field=field)
    if kind == "model_type" or kind == "dict_type":
        return Invalid(_l("Objet attendu."), field=field)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return Invalid(_l("Nombre entier attendu."), field=field)
    if kind in ("literal_error", "enum"):
        allowed = error.get("ctx", {}).get("expected", "")
        return Invalid(_l("Valeur invalide ; valeurs possibles : %(values)s.",
                          values=allowed.replace("'", "")), field=field)
    return Invalid(_l("Valeur invalide."), field=field)


def choice(allowed: tuple[str, ...]):
    """One of `allowed` (an enum in OpenAPI), refused with the service's message."""
    def check(value: Any, info: ValidationInfo) -> str:
        return validation.choice(value, info.field_name, allowed)

    return Annotated[Literal[allowed], BeforeValidator(check)]
