#!/usr/bin/env bash
# Builds the administrator's `gatehouse` command: one framework-dependent executable in ./publish/gatehouse
# (needs the .NET 10 runtime on the target machine). Usage: bash scripts/publish.sh [RID, default linux-x64]
set -euo pipefail
cd "$(dirname "$0")/.."
rid="${1:-linux-x64}"
dotnet publish src/Gatehouse -c Release -r "$rid" --self-contained false \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
    -o publish
echo "Built publish/gatehouse for $rid. Install with: sudo install publish/gatehouse /usr/local/bin/"
