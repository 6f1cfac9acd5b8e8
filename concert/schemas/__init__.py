"""Pydantic models of what concert exchanges with its clients: API inputs and outputs (one
module per area) and Socket.IO events (events.py)."""
