#!/usr/bin/env bash
# Install everything and run the dashboard. On first start with an empty
# database it builds the embedded demo zone (with a progress bar).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements.txt
bash scripts/setup_system.sh || echo "(系统软件包未安装:看板可用,月报图片导出需要 chromium 和中文字体)" >&2
exec python3 -m streamlit run app.py "$@"
