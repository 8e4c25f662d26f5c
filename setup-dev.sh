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
	graphviz                            # dot: the control-flow graphs' SVG, checked by ProgramInsightTest
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

# A JDK 22 or later: the extension jar's FFM binding (META-INF/versions/22) is compiled with it, and CI runs the
# extension's tests on it. Debian 12 packages none; this machine image has Temurin 25 in /usr/lib/jvm (or set
# BPFUNIT_JDK22_HOME; find-jdk22.sh). Maven finds it through ~/.m2/toolchains.xml, to which it is added if missing.
jdk22="$("$(dirname "$0")/find-jdk22.sh")"
jdk22_version="$(sed -n 's/^JAVA_VERSION="\([0-9.]*\)".*/\1/p' "$jdk22/release")"
toolchains="$HOME/.m2/toolchains.xml"
entry="  <toolchain>
    <type>jdk</type>
    <provides>
      <version>$jdk22_version</version>
    </provides>
    <configuration>
      <jdkHome>$jdk22</jdkHome>
    </configuration>
  </toolchain>"
mkdir -p "$HOME/.m2"
if [ ! -f "$toolchains" ]; then
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<toolchains>\n%s\n</toolchains>\n' "$entry" > "$toolchains"
	echo "setup-dev.sh: wrote $toolchains (JDK $jdk22_version at $jdk22)"
elif ! grep -q "<jdkHome>$jdk22</jdkHome>" "$toolchains"; then
	if ! grep -q '</toolchains>' "$toolchains"; then
		echo "setup-dev.sh: $toolchains has no </toolchains>: add a jdk toolchain for $jdk22 by hand" >&2
		exit 1
	fi
	python3 - "$toolchains" "$entry" <<'PY'
import sys
path, entry = sys.argv[1], sys.argv[2]
text = open(path).read()
i = text.rindex("</toolchains>")
open(path, "w").write(text[:i] + entry + "\n" + text[i:])
PY
	echo "setup-dev.sh: added JDK $jdk22_version at $jdk22 to $toolchains"
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

echo "setup-dev.sh: ready ($(uname -r), $(java -version 2>&1 | head -1); JDK $jdk22_version for the FFM build at $jdk22)"
