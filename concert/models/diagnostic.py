"""diagnostic models (being written)."""
