"""`python -m core …`: the command line (see shared/spec/cli.md)."""
import sys

from core.cli import main

sys.exit(main())
