"""`python -m protection_workbench` — same as the `workbench` command."""

from .cli import run

run()
