#!/bin/sh
# Installs what the kernel-function probe tests need to boot a QEMU virtual
# machine: qemu-system-x86, busybox-static, cpio (from apt), and a Debian
# 6.1 cloud kernel (kprobes, fentry, BTF) taken out of its .deb.
#
# Idempotent: when everything is already there it only prints the paths.
# Needs root for apt-get install; the kernel download works as any user.
#
# The kernel lands in the cache directory shared with internal/vmtest:
#   $GOBPFTRACE_VM_DIR, else $XDG_CACHE_HOME/gobpftrace/vm,
#   else $HOME/.cache/gobpftrace/vm.
# Files there: vmlinuz (the kernel) and kernel-package (its package name).
#
# Options: --refresh  re-download even if a kernel is cached (to pick up
#                     a newer linux-image-6.1.0-*-cloud-amd64).
set -eu

refresh=0
for arg in "$@"; do
	case "$arg" in
	--refresh) refresh=1 ;;
	*)
		echo "usage: $0 [--refresh]" >&2
		exit 2
		;;
	esac
done

if [ -n "${GOBPFTRACE_VM_DIR:-}" ]; then
	cache=$GOBPFTRACE_VM_DIR
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
	cache=$XDG_CACHE_HOME/gobpftrace/vm
else
	cache=${HOME:-/root}/.cache/gobpftrace/vm
fi

# Concurrent test binaries may all run this script on a fresh machine:
# serialise them (apt takes its own locks, but would fail rather than wait).
mkdir -p "$cache"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.lock"
	flock 9
fi

# --- host packages -------------------------------------------------------
missing=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing="$missing qemu-system-x86"
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
	missing="$missing busybox-static"
fi
command -v cpio >/dev/null 2>&1 || missing="$missing cpio"

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup.sh: missing packages:$missing; run as root" >&2
		exit 1
	fi
	echo "setup.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	apt-get install -y -qq --no-install-recommends $missing >&2
fi

# --- kernel ----------------------------------------------------------------
# A kernel module for the tests of probes on module functions: binfmt_misc
# has no dependencies, carries BTF, and runs bm_status_read when its status
# file is read.
modules="fs/binfmt_misc.ko"
if [ -s "$cache/vmlinuz" ] && [ -s "$cache/kernel-package" ] && [ -s "$cache/modules/binfmt_misc.ko" ] && [ "$refresh" = 0 ]; then
	echo "kernel:  $cache/vmlinuz ($(cat "$cache/kernel-package"))"
	echo "qemu:    $(command -v qemu-system-x86_64)"
	exit 0
fi

# Newest linux-image-6.1.0-N-cloud-amd64 that apt knows; refresh the lists
# once if apt knows none (a fresh machine may have empty lists).
newest_kernel() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}
updated=0
update_lists() {
	if [ "$(id -u)" = 0 ] && [ "$updated" = 0 ]; then
		apt-get update -qq
		updated=1
	fi
}
pkg=$(newest_kernel)
if [ -z "$pkg" ] || [ "$refresh" = 1 ]; then
	update_lists
	pkg=$(newest_kernel)
fi
if [ -z "$pkg" ]; then
	echo "setup.sh: apt knows no linux-image-6.1.0-*-cloud-amd64 (Debian 12 bookworm lists needed)" >&2
	exit 1
fi

work=$(mktemp -d "$cache/.setup.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "setup.sh: downloading $pkg" >&2
# As root, apt would try to drop to _apt, which cannot write here.
sandbox=""
[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
download() {
	# shellcheck disable=SC2086
	(cd "$work" && apt-get download -qq $sandbox "$pkg" >&2)
}
if ! download; then
	# Stale lists may name a kernel the mirror has since dropped.
	[ "$updated" = 0 ] && [ "$(id -u)" = 0 ] || exit 1
	update_lists
	pkg=$(newest_kernel)
	echo "setup.sh: retrying with $pkg" >&2
	download
fi
deb=$(ls "$work"/*.deb)
dpkg-deb -x "$deb" "$work/root"
kernel=$(ls "$work"/root/boot/vmlinuz-* | head -n 1)
if [ ! -s "$kernel" ]; then
	echo "setup.sh: no boot/vmlinuz-* in $deb" >&2
	exit 1
fi
# Install atomically so a concurrent test never sees half a kernel.
mkdir -p "$cache/modules"
for m in $modules; do
	ko=$(ls "$work"/root/lib/modules/*/kernel/"$m" | head -n 1)
	cp "$ko" "$cache/modules/$(basename "$m").tmp"
	mv "$cache/modules/$(basename "$m").tmp" "$cache/modules/$(basename "$m")"
done
cp "$kernel" "$cache/vmlinuz.tmp"
mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
printf '%s %s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" >"$cache/kernel-package.tmp"
mv "$cache/kernel-package.tmp" "$cache/kernel-package"

echo "kernel:  $cache/vmlinuz ($(cat "$cache/kernel-package"))"
echo "qemu:    $(command -v qemu-system-x86_64)"
