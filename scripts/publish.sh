#!/usr/bin/env bash
# Builds self-contained single-file executables of the CLI/watcher (`onboard`) and the TUI (`onboarding-tui`)
# for linux-x64 into dist/linux-x64/ (or the folder given as $1). No .NET runtime is needed where they run.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/linux-x64}"
for project in Watcher Tui; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
    -o "$out" --nologo -v quiet
done
ls -l "$out"
