"""contract models (being written)."""
