"""workshops models (being written)."""
