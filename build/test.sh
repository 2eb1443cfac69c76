#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole default test suite (CPU). Fails when a test fails.
#   build/test.sh [--chaos-rounds N] [dotnet test arguments...]
#   --chaos-rounds N   kill rounds of the chaos test (default 3; e.g. 20 for a long soak)
set -euo pipefail
if [ "${1:-}" = "--chaos-rounds" ]; then
    [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: --chaos-rounds needs a positive number" >&2; exit 2; }
    export PALETTE_CHAOS_ROUNDS="$2"
    shift 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build/prereqs.sh --tests
dotnet build PaletteCluster.sln -c Release -nologo -v minimal
# One test project at a time (-m:1): each TorchSharp test host and each silo/worker process uses every core,
# and running them side by side on a 2-core CI machine made the suite slower overall (13 min vs about 8).
dotnet test PaletteCluster.sln -c Release --no-build -nologo -m:1 --logger "console;verbosity=normal" "$@"
