#!/usr/bin/env bash
# Is this checkout slower than an earlier one? Runs the CPU step benchmark and the control-plane benchmark of two
# builds alternately in one run (old, new, old, new, ...) and prints each build's median and the ratio new/old,
# so a VM's drift between runs affects both sides alike.
#   bench/compare-builds.sh <git-ref | --baseline-cli DIR> [--rounds N]
# A git ref is built into a temporary worktree (Release, CPU); --baseline-cli names an already built CLI folder
# (the one holding palette.dll). The current checkout is built first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
usage() { echo "usage: bench/compare-builds.sh <git-ref | --baseline-cli DIR> [--rounds N]" >&2; exit 2; }
baseline_ref="" baseline_cli="" rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --baseline-cli) baseline_cli="${2:?}"; shift 2 ;;
        --rounds) rounds="${2:?}"; shift 2 ;;
        -h|--help) usage ;;
        *) [ -z "$baseline_ref" ] || usage; baseline_ref="$1"; shift ;;
    esac
done
[ -n "$baseline_ref$baseline_cli" ] || usage
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare-builds.sh: --rounds needs a positive number" >&2; exit 2; }

cli_dir() { echo "$1/src/PaletteCluster.Cli/bin/Release/net10.0/linux-x64"; }
dotnet build src/PaletteCluster.Cli -c Release -nologo -v quiet >/dev/null
new_cli="$(cli_dir "$here")"
if [ -z "$baseline_cli" ]; then
    tree="$(mktemp -d)/baseline"
    trap 'git -C "$here" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
    git worktree add --detach -q "$tree" "$baseline_ref"
    dotnet build "$tree/src/PaletteCluster.Cli" -c Release -nologo -v quiet >/dev/null
    baseline_cli="$(cli_dir "$tree")"
fi
[ -f "$baseline_cli/palette.dll" ] || { echo "compare-builds.sh: no palette.dll in $baseline_cli" >&2; exit 2; }
[ -d data/sample-images ] || infra/sample-images/install.sh data/sample-images >/dev/null

work="$(mktemp -d)"
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" | tail -1; }
run_round() { # build-name cli-folder
    local name="$1" cli="$2"
    dotnet "$cli/palette.dll" bench train-step --preset tiny --res 32 --batch 8 --steps 30 --warmup 5 --device cpu \
        > "$work/step.txt"
    field step_ms < "$work/step.txt" >> "$work/$name.step_ms"
    dotnet "$cli/palette.dll" bench cluster --data data/sample-images --steps 150 --rounds 1 > "$work/cluster.txt" 2>/dev/null
    field cluster_steps_per_s < "$work/cluster.txt" >> "$work/$name.cluster"
    field plain_steps_per_s < "$work/cluster.txt" >> "$work/$name.plain"
}
for ((r = 1; r <= rounds; r++)); do
    echo "round $r/$rounds: baseline" >&2; run_round old "$baseline_cli"
    echo "round $r/$rounds: this checkout" >&2; run_round new "$new_cli"
done

median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
report() { # metric file-suffix higher-is-better
    local old new ratio
    old="$(median "$work/old.$2")"; new="$(median "$work/new.$2")"
    if [ "$3" = yes ]; then ratio="$(awk -v o="$old" -v n="$new" 'BEGIN {printf "%.3f", n / o}')"
    else ratio="$(awk -v o="$old" -v n="$new" 'BEGIN {printf "%.3f", o / n}')"; fi
    printf '%-34s baseline %-28s this %-28s speed ratio this/baseline %s\n' "$1" \
        "$(paste -sd, "$work/old.$2") (median $old)" "$(paste -sd, "$work/new.$2") (median $new)" "$ratio"
}
echo "RESULTS over $rounds alternating rounds (ratio > 1: this checkout is faster)"
report "CPU step, tiny 32 px batch 8 (ms)" step_ms no
report "plain loop (steps/s)" plain yes
report "control plane, embedded (steps/s)" cluster yes
rm -rf "$work"
