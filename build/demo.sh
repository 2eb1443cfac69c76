#!/usr/bin/env bash
# Sets up a fresh machine and runs the demo: a real multi-task training job (all seven Palette tasks mixed) on
# sample photos, through an embedded silo + worker in one process (CPU, a few minutes), with checkpoints and a
# sample grid per task at the end. Output lands in runs/jobs/demo/; run again after Ctrl+C to continue.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build/prereqs.sh
dotnet build src/PaletteCluster.Cli -c Release -nologo -v quiet
palette() { dotnet "src/PaletteCluster.Cli/bin/Release/net10.0/linux-x64/palette.dll" "$@"; }
rm -rf runs/jobs/demo runs/cluster-state
spec=jobs/demo.yaml
if [ -n "${DEMO_STEPS:-}" ]; then
  spec=runs/demo-job.yaml
  mkdir -p runs
  sed -e "s/^steps: .*/steps: ${DEMO_STEPS}/" -e "s|^data: .*|data: $here/data/sample-images|" jobs/demo.yaml > "$spec"
fi
palette train "$spec"
echo "Demo done: checkpoints in runs/jobs/demo/checkpoints, sample grid in runs/jobs/demo/samples/"
