"""pydantic models of every API input and output, one module per area."""
