"""Pydantic models of what concert exchanges with its clients (API and Socket.IO)."""
