"""The typed Socket.IO surface and its boundary, read from the code and run in the test app:
every event type recorded has a model (and every model a recorder); an event that does not
match its model fails the test that sent it; the services never touch Socket.IO; and the
services' modules import one another without a cycle."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Territory
from concert.schemas import events as schemas
from concert.schemas import workspace
from concert.services import events

CONCERT = Path(__file__).resolve().parents[2] / "concert"
SERVICES = CONCERT / "services"


def _modules(folder: Path) -> dict[str, ast.Module]:
    """Each module of the folder, its subpackages' included, by path (workshops/presence.py
    and presence.py are two)."""
    return {str(path.relative_to(folder).with_suffix("")): ast.parse(path.read_text())
            for path in sorted(folder.rglob("*.py"))}


def _called(call: ast.Call, name: str) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == name
            and isinstance(func.value, ast.Name) and func.value.id == "events")


def _names(func: ast.expr, name: str) -> bool:
    """`name(…)` or `module.name(…)`."""
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name)


def _types_of(tree: ast.Module, package: list[ast.Module]) -> set[str]:
    """The literal `type` of each events.record / events.ephemeral call, or, when it is a
    parameter of the enclosing function, the literals that function is called with anywhere
    in the `package`."""
    found: set[str] = set()
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
    for function in functions:
        params = [a.arg for a in function.args.args]
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and len(call.args) > 1
                    and (_called(call, "record") or _called(call, "ephemeral"))):
                continue
            type_ = call.args[1]
            if isinstance(type_, ast.Constant):
                found.add(type_.value)
            elif isinstance(type_, ast.Name) and type_.id in params:
                position = params.index(type_.id)
                found.update(
                    caller.args[position].value for module in package
                    for caller in ast.walk(module)
                    if isinstance(caller, ast.Call) and _names(caller.func, function.name)
                    and len(caller.args) > position
                    and isinstance(caller.args[position], ast.Constant))
            else:
                pytest.fail(f"{function.name}: an event type the scan cannot read")
    return found


def test_every_event_type_recorded_has_a_model_and_every_model_is_recorded():
    package = list(_modules(SERVICES).values())
    recorded = set().union(*(_types_of(tree, package) for tree in package))
    assert recorded == set(schemas.EVENTS)
    assert set(schemas.STORED).isdisjoint(schemas.EPHEMERAL)


def test_services_never_import_socketio():
    for name, tree in _modules(SERVICES).items():
        for node in ast.walk(tree):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for module in modules:
                assert "socketio" not in module, f"services/{name}.py imports {module}"
                assert "extensions" not in module, f"services/{name}.py imports {module}"


def test_only_the_broadcast_module_moves_sockets():
    transport = {"emit", "enter_room", "leave_room", "join_room", "close_room", "disconnect"}
    for name, tree in _modules(CONCERT / "realtime").items():
        if name in ("broadcast", "managers", "delivery"):  # the transport and its managers
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
                called = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                assert called not in transport, f"realtime/{name}.py calls {called}"


def test_services_import_one_another_without_a_cycle_nor_inside_functions():
    graph: dict[str, set[str]] = {}
    for name, tree in _modules(SERVICES).items():
        graph[name] = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                graph[name].update([node.module] if node.module else
                                   [a.name for a in node.names])
        for function in (f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 1 and name in (
                        "posts", "presence", "workshops", "events"):
                    pytest.fail(f"services/{name}.py imports within {function.name}")
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import cycle: " + " → ".join(path + (name,))
        if name in done or name not in graph:
            return
        for imported in graph[name]:
            visit(imported, path + (name,))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_an_event_that_does_not_match_its_model_fails_the_commit(world):
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == world.slug))
    events.ephemeral(territory, "typing", {"channel": "général", "user": {"id": 1}})
    with pytest.raises(schemas.InvalidEvent):
        db.session.commit()
    db.session.rollback()
    events.ephemeral(territory, "typing", {"channel": 1, "user": {"id": 1, "name": "Ada"}})
    db.session.commit()


@pytest.mark.parametrize("message", [
    {"territory": "t", "seq": 3, "type": "typing",  # ephemeral: seq null
     "data": {"channel": 1, "user": {"id": 1, "name": "Ada"}}},
    {"territory": "t", "seq": None, "type": "post.created", "data": {}},  # stored: a seq
    {"territory": "t", "seq": 1, "type": "post.invented", "data": {}},
    {"territory": "t", "seq": None, "type": "presence",  # a field no model declares
     "data": {"user": {"id": 1, "name": "Ada", "organisation": "", "organisation_kind": ""},
              "online": True, "email": "ada@example.org"}},
])
def test_the_envelope_and_its_data_are_checked(message):
    with pytest.raises(schemas.InvalidEvent):
        schemas.check_event(message)


_POST = {"id": 1, "channel": 1, "kind": "message", "body": "x", "html": "<p>x</p>",
         "status": None, "author": {"id": 1, "name": "Ada", "organisation": "Ville",
                                    "organisation_kind": "commune"},
         "reply_to": None, "replies": 0, "supports": 0, "seq": 1,
         "created_at": "2027-01-01T00:00:00+00:00", "edited_at": None, "deleted": False,
         "client_id": None, "merged_into": None, "decline_reason": None, "commitments": [],
         "workshop": None, "agenda_item": None}


def test_events_carry_the_api_models_strictly_without_per_reader_fields():
    """A post in an event is the API's post (schemas/workspace.py), checked strictly, and
    never with the reader's own `supported`."""
    assert issubclass(schemas.Post, workspace.Post)
    event = {"territory": "t", "seq": 1, "type": "post.created", "data": _POST}
    schemas.check_event(event)
    for wrong in ({"supported": True}, {"supported": None}, {"id": "1"}, {"email": "a@b"}):
        with pytest.raises(schemas.InvalidEvent):
            schemas.check_event({**event, "data": {**_POST, **wrong}})
