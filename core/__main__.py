"""`python -m core …`: the command line (see docs/cli.md)."""
import sys

from core.cli import main

sys.exit(main())
