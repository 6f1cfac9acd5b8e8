"""Document and list renderers, all fed by the assembled models (exports/document.py)."""
