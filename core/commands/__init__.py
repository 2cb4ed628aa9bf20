"""One module per command of `python -m core`: each has add_parser(subparsers) and run(args) -> int."""
from __future__ import annotations

import argparse

from core.month import MonthError, parse_month


def period_arg(text: str) -> str:
    """A YYYY-MM argument as 'YYYY-MM' (argparse reports the Chinese message on a bad value)."""
    try:
        return parse_month(text)
    except MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
