#!/usr/bin/env bash
# System packages the project needs beyond PyPI, from Debian:
#   chromium        - the 月报 PDF and chart PNGs (core/report/browser.py) and the real-browser test
#   fonts-noto-cjk  - Chinese glyphs in exported charts, PDFs and screenshots
#   poppler-utils   - pdftoppm, to look at report pages as PNG
# Idempotent: does nothing when everything is present.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "缺少系统软件包 ${need[*]},请以 root 身份运行: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
echo "安装系统软件包: ${need[*]}"
$sudo apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}" >/dev/null
