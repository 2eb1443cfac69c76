#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for building, testing and the demo:
# Debian packages (python3 for the checkpoint-reader test, opencv-doc for real sample photos; with --tests also
# postgresql for the cluster tests and nodejs/npm for the Azurite blob emulator of the storage tests, installed here
# once rather than by parallel test projects racing for apt).
# The .NET SDK must be present (https://learn.microsoft.com/dotnet/core/install/linux-debian).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is not installed (dotnet not on PATH); see README.md" >&2
  exit 1
fi

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -d /usr/share/doc/opencv-doc/examples/data ] || need+=(opencv-doc)
if [ "${1:-}" = "--tests" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if [ "${1:-}" = "--tests" ] && ! command -v node >/dev/null 2>&1; then need+=(nodejs); fi
if [ "${1:-}" = "--tests" ] && ! command -v npm >/dev/null 2>&1; then need+=(npm); fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${need[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
"$here/infra/sample-images/install.sh" "$here/data/sample-images" >/dev/null
