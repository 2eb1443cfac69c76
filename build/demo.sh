#!/usr/bin/env bash
# Sets up a fresh machine and runs the demo: a real colorization training run on sample photos (CPU, a few
# minutes), with checkpoints, then samples from the EMA weights. Output lands in runs/demo/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build/prereqs.sh
dotnet build src/PaletteCluster.Cli -c Release -nologo -v quiet
palette() { dotnet "src/PaletteCluster.Cli/bin/Release/net10.0/linux-x64/palette.dll" "$@"; }
rm -rf runs/demo
palette train --data data/sample-images --out runs/demo --preset tiny --image-size 32 --batch 8 \
  --steps "${DEMO_STEPS:-800}" --warmup 50 --lr 5e-4 --ema-decay 0.99 --checkpoint-every 100 --seed 0
palette sample --checkpoint runs/demo --input data/sample-images --limit 8 --out runs/demo/samples \
  --sampler ddim --steps 50 --eta 1
echo "Demo done: checkpoints in runs/demo/checkpoints, sample grid in runs/demo/samples/grid.png"
