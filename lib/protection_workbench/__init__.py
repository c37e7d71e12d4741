"""Protection data workbench: load, clean, check and report on MiMOSA exports and tracking sheets."""

__version__ = "0.1.0"
