#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole default test suite (CPU). Fails when a test fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build/prereqs.sh --tests
dotnet build PaletteCluster.sln -c Release -nologo -v minimal
# One test project at a time (-m:1): each TorchSharp test host and each silo/worker process uses every core,
# and running them side by side on a 2-core CI machine made the suite slower overall (13 min vs about 8).
dotnet test PaletteCluster.sln -c Release --no-build -nologo -m:1 --logger "console;verbosity=normal" "$@"
