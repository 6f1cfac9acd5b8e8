"""The bookkeeping behind "no silent loss": which seqs a process has handed to its rooms,
and the packet JSON that carries a catch-up's stored text as it is. No server needed."""
from __future__ import annotations

import json

from concert.realtime.delivery import Delivered
from concert.realtime.packets import RawJSON, dumps


def test_each_seq_is_handed_over_once_whatever_the_order():
    delivered = Delivered(territory_id=1, upto=10)
    assert [delivered.take(seq) for seq in (12, 11, 12, 10, 14)] == [True, True, False, False,
                                                                    True]
    assert delivered.upto == 12 and delivered.above == {14}
    assert delivered.missing(16) == [13, 15, 16]
    assert delivered.take(13) and delivered.upto == 14 and delivered.above == set()


def test_each_part_of_a_seq_is_handed_over_once():
    """An event quoting posts goes out once per wording, to other rooms, with one seq."""
    delivered = Delivered(territory_id=1, upto=10)
    state, justice = ("t1:kind:prefecture",), ("t1:kind:justice",)
    assert delivered.take(11, state) and delivered.take(12, state)
    assert delivered.take(11, justice)  # after 12: the same seq's other wording
    assert not delivered.take(11, state) and not delivered.take(11, justice)
    assert delivered.upto == 12 and delivered.missing(12) == []


def test_raw_json_goes_into_the_packet_as_it_is():
    events = ['{"seq":1,"data":{"body":"é"}}', '{"seq":2,"data":{}}']
    # A user's text that looks like the placeholder is still only text.
    text = dumps({"missed": RawJSON.array(events), "name": "\x00raw:0\x00"},
                 separators=(",", ":"))
    assert json.loads(text) == {"missed": [{"seq": 1, "data": {"body": "é"}},
                                           {"seq": 2, "data": {}}],
                                "name": "\x00raw:0\x00"}
    assert dumps({"missed": RawJSON.array([])}) == '{"missed": []}'
