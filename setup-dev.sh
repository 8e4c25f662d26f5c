#!/usr/bin/env bash
# Installs what bpfunit's build and tests need on Debian 12 and mounts the BPF filesystem.
# Run as root: the tests load real BPF programs, which needs root (or CAP_BPF and friends).
# Safe to run again: it installs only what is missing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-dev.sh: run as root (BPF tests need root or CAP_BPF)" >&2
	exit 1
fi

packages=(
	openjdk-17-jdk-headless maven       # the build
	clang llvm libbpf-dev bpftool       # building the sample BPF objects; bpftool as the reference loader
	gcc                                 # build-bpf.sh asks gcc for the multiarch include directory
	tshark                              # independent decoder the packet tests compare against
	qemu-system-x86 busybox-static xz-utils   # kernel-vm: boot Debian kernels, build their initramfs
	docker.io                           # kernel-vm: the privileged-container backend
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup-dev.sh: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi
# kernel-vm fetches Debian kernel packages with apt-get download: it needs package lists
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
	apt-get update -qq
fi
# the container backend needs a Docker daemon; start one where nothing (systemd) runs it
"$(dirname "$0")/kernel-vm/start-dockerd.sh"

echo "setup-dev.sh: ready ($(uname -r), $(java -version 2>&1 | head -1))"
