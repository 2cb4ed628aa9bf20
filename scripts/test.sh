#!/usr/bin/env bash
# Install everything (Python packages, Debian chromium + CJK fonts) and run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements-dev.txt
bash scripts/setup_system.sh
exec python3 -m pytest -q "$@"
