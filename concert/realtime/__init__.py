"""Socket.IO: thin handlers over the services; the event log lives in services/events.py."""
