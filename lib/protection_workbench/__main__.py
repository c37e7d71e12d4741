"""`python -m protection_workbench` — same as the `workbench` command."""

import sys

from .cli import main

sys.exit(main())
