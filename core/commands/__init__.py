"""One module per command of `python -m core`: each has add_parser(subparsers) and run(args) -> int."""
