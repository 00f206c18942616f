#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine. Idempotent and
# quiet when everything is present; needs root for apt.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
[ -f /usr/include/sys/sdt.h ] || need+=(systemtap-sdt-dev)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${need[*]} (run as root to install)" >&2
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -x scripts/vm/setup.sh ] && [ "$(id -u)" = 0 ]; then
  scripts/vm/setup.sh
fi
