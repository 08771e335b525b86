#!/usr/bin/env bash
# Checks deploy/onboard-watch.service with `systemd-analyze verify`, which exits 0 even on unknown keys or bad
# values: any message it prints fails the check. $1 is the published `onboard` (it must exist for verify).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$(realpath "${1:-dist/linux-x64/onboard}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed "s#/opt/onboard/onboard#${binary}#" deploy/onboard-watch.service > "$work/onboard-watch.service"
messages="$(systemd-analyze verify "$work/onboard-watch.service" 2>&1 || true)"
if [ -n "$messages" ]; then
  echo "deploy/onboard-watch.service does not verify:" >&2
  echo "$messages" >&2
  exit 1
fi
echo "deploy/onboard-watch.service verifies."
