#!/usr/bin/env bash
# Install everything the tests need (Debian's Chromium, a CJK font, and the text browsers
# lynx, w3m and html2text whose dumps the unwrapping tests read) and run ruff and the whole
# pytest suite. Used as-is by CI (.ci/run) and by developers.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
for tool in lynx w3m html2text; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need_apt[@]}"
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q ".[test]"

ruff check .
ruff format --check .
SEARCHER_REQUIRE_BROWSER=1 pytest -q -p no:cacheprovider "$@"
