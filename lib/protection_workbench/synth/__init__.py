"""Synthetic MiMOSA-like exports for demos and tests (real case data is confidential)."""
