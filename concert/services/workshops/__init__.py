"""Live workshops: a facilitator plans a meeting (agenda, place, invited organisations),
may edit or cancel it until it starts, starts it, moves through the agenda under a
server-held timer, opens dot-votes on proposals, and closes it; the minutes are assembled
from what happened.

Roles: facilitators plan, edit, cancel, start, advance, open and close votes, and close.
Actors post and vote. Observers read and are counted present (attendance), but neither post
nor vote. The invited organisations are informative (the minutes compare them with
attendance): every member of the territory may follow a workshop.

One module per concern; callers use the names below (`workshops.create(…)`)."""
from ...schemas.workshops import MAX_DOTS, MAX_INVITED, MAX_ITEMS, MAX_MINUTES, MAX_VOTE_POSTS
from .base import (
    VOTER_ROLES, contributions, current_item, facilitates, get, list_workshops, may_vote,
    workshop_access,
)
from .planning import cancel, create, editable, update
from .presence import attend, attendance, enter, forget, leave, present_now
from .report import minutes
from .running import close, move, start
from .serialisation import serialise, serialise_vote, votes_of, with_option_texts
from .votes import close_vote, get_vote, my_dots, open_vote, open_vote_of, place_dot, remove_dot

__all__ = [
    "MAX_DOTS", "MAX_INVITED", "MAX_ITEMS", "MAX_MINUTES", "MAX_VOTE_POSTS", "VOTER_ROLES",
    "attend", "attendance", "cancel", "close", "close_vote", "contributions", "create",
    "current_item", "editable", "enter", "facilitates", "forget", "get", "get_vote",
    "leave", "list_workshops", "may_vote", "minutes", "move", "my_dots", "open_vote",
    "open_vote_of", "place_dot", "present_now", "remove_dot", "serialise", "serialise_vote",
    "start", "tag_for_post", "update", "votes_of", "with_option_texts", "workshop_access",
]
