#!/usr/bin/env bash
# Packs what the GPU machine (CUDA + PyTorch, no .NET) needs to run `palette` into .device/ (git-ignored,
# under 64 MiB): the CLI published without libtorch (-p:LibTorch=external; the machine's PyTorch supplies it),
# the .NET runtime, the PyTorch reference workload and bench/gpu-benchmark.sh. See docs/benchmarks.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/.device"
rm -rf "$out" && mkdir -p "$out"

dotnet publish "$here/src/PaletteCluster.Cli" -c Release -p:LibTorch=external -o "$out/app" -nologo -v quiet
rm -rf "$out/app/runtimes"   # other platforms' natives

dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime="$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)"
tar -C "$dotnet_root" -cJf "$out/dotnet-runtime.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$(basename "$runtime")"

ref="$here/../shared/bench/palette_unet_ref.py"
[ -f "$ref" ] && cp "$ref" "$out/" || echo "note: $ref not found; the benchmark will run without the PyTorch side" >&2
cp "$here/bench/gpu-benchmark.sh" "$out/"
du -sh "$out"
