#!/usr/bin/env bash
# Set-up and tasks on a fresh machine: installs uv, the locked environment and,
# for the tests, Chromium; then runs the task.
#   ./dev.sh demo [ARGS]   villagesim demo
#   ./dev.sh test [ARGS]   the test suite (pytest)
#   ./dev.sh run ARGS      any villagesim command, e.g. ./dev.sh run serve
set -euo pipefail
cd "$(dirname "$0")"

uv() {
  if ! python3 -m uv --version >/dev/null 2>&1; then
    python3 -m pip install --quiet uv
  fi
  python3 -m uv "$@"
}

chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
}

task="${1:-demo}"
shift || true
case "$task" in
  demo) uv sync --frozen --quiet && uv run --frozen villagesim demo "$@" ;;
  test) uv sync --frozen --quiet && chromium && uv run --frozen pytest "$@" ;;
  run) uv sync --frozen --quiet && uv run --frozen villagesim "$@" ;;
  *) echo "usage: ./dev.sh demo|test|run [ARGS]" >&2; exit 2 ;;
esac
