#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole default test suite (CPU). Fails when a test fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build/prereqs.sh --tests
dotnet build PaletteCluster.sln -c Release -nologo -v minimal
dotnet test PaletteCluster.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
