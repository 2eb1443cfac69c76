#!/usr/bin/env bash
# Runs on the GPU machine from a bundle made by build/gpu-bundle.sh (carried as .device/):
#   bash .device/gpu-benchmark.sh
# Times our training step and the PyTorch reference on the same shapes, one after the other, and writes
# RESULT lines to $OUT/results.txt (or ./results.txt).
set -uo pipefail
bundle="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-.}"
dn="$(mktemp -d)" && tar -C "$dn" -xJf "$bundle/dotnet-runtime.tar.xz"
tl="$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__)+"/lib")')"
palette() { PALETTE_LIBTORCH="$tl" LD_LIBRARY_PATH="$tl" DOTNET_ROOT="$dn" "$dn/dotnet" "$bundle/app/palette.dll" "$@"; }

nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"
palette env --device cuda | tee "$out/env.txt"
for spec in "small 16" "adm 4"; do
  set -- $spec
  palette bench train-step --preset "$1" --batch "$2" --res 256 --device cuda --precision bf16 --steps 20 --warmup 5 2>&1 | tee -a "$out/results.txt"
  palette bench train-step --preset "$1" --batch "$2" --res 256 --device cuda --precision fp32 --steps 20 --warmup 5 2>&1 | tee -a "$out/results.txt"
  if [ -f "$bundle/palette_unet_ref.py" ]; then
    python3 "$bundle/palette_unet_ref.py" --config "$1" --batch "$2" --res 256 --dtype bf16 --mode eager 2>&1 | tee -a "$out/results.txt"
    python3 "$bundle/palette_unet_ref.py" --config "$1" --batch "$2" --res 256 --dtype fp32 --mode eager 2>&1 | tee -a "$out/results.txt"
  fi
done
