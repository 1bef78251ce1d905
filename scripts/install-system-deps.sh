#!/usr/bin/env bash
# Installs the system packages perturbset needs on a fresh Debian 12 (bookworm) machine without a GPU:
#   - the Vulkan loader and Mesa lavapipe 25 (from bookworm-backports; Dawn rejects bookworm's Mesa 22),
#   - Debian's chromium (browser tests; its SwiftShader Vulkan driver is the fallback adapter).
# Idempotent; does nothing that is already done. Needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

have_lavapipe() {
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q 'bpo12' &&
    dpkg-query -W -f='${Status}' libvulkan1 2>/dev/null | grep -q 'install ok installed'
}
have_chromium() { command -v chromium >/dev/null 2>&1; }

if have_lavapipe && have_chromium; then
  echo "install-system-deps: lavapipe and chromium already installed"
  exit 0
fi

SOURCES=/etc/apt/sources.list.d/debian.sources
if [ -f "$SOURCES" ] && ! grep -q 'bookworm-backports' "$SOURCES"; then
  $SUDO sed -i -E '0,/^Suites: bookworm( |$)/s//Suites: bookworm bookworm-backports\1/' "$SOURCES"
fi
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/backports.list >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null
echo "install-system-deps: installed $(dpkg-query -W -f='mesa-vulkan-drivers ${Version}' mesa-vulkan-drivers), $(chromium --version 2>/dev/null | head -1)"
