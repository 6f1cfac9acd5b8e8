"""The JSON module of Socket.IO packets: the standard one, plus RawJSON, text that already is
JSON and goes into a packet as it is. A catch-up of thousands of events (the event log's
`data` as stored) is then neither decoded, nor walked by python-socketio's search for
binary attachments, nor encoded again."""
from __future__ import annotations

import json
import secrets

loads = json.loads
# Stands for a RawJSON in the encoded text until it is put in; unguessable, so no user's
# text can be taken for it.
_MARK = "\x00" + secrets.token_hex(8) + ":{}\x00"


class RawJSON:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    @classmethod
    def array(cls, items: list[str]) -> "RawJSON":
        return cls("[" + ",".join(items) + "]")


def dumps(obj, **kwargs) -> str:
    raws: list[str] = []

    def default(value):
        if isinstance(value, RawJSON):
            raws.append(value.text)
            return _MARK.format(len(raws) - 1)
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    text = json.dumps(obj, default=default, **kwargs)
    for n, raw in enumerate(raws):
        text = text.replace(json.dumps(_MARK.format(n)), raw, 1)
    return text
