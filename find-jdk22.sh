#!/usr/bin/env bash
# Prints the home of the newest JDK 22 or later: $BPFUNIT_JDK22_HOME if set, else the newest in /usr/lib/jvm.
# bpfunit's build compiles its FFM binding (META-INF/versions/22) with it (setup-dev.sh names it in
# ~/.m2/toolchains.xml), and .ci/run runs the extension's tests on it. Exits 1, saying what to install, if none.
set -euo pipefail

if [ -n "${BPFUNIT_JDK22_HOME:-}" ]; then
	v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$BPFUNIT_JDK22_HOME/release" 2>/dev/null || true)"
	if [ ! -x "$BPFUNIT_JDK22_HOME/bin/javac" ] || [ -z "$v" ] || [ "$v" -lt 22 ]; then
		echo "find-jdk22.sh: BPFUNIT_JDK22_HOME=$BPFUNIT_JDK22_HOME is not the home of a JDK 22 or later" \
			"(bin/javac, and JAVA_VERSION in release)" >&2
		exit 1
	fi
	readlink -f "$BPFUNIT_JDK22_HOME"
	exit 0
fi
best=""
best_version=0
for home in /usr/lib/jvm/*; do
	[ -x "$home/bin/javac" ] && [ -f "$home/release" ] || continue
	v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
	[ -n "$v" ] && [ "$v" -ge 22 ] || continue
	if [ "$v" -gt "$best_version" ]; then
		best="$home"
		best_version="$v"
	fi
done
if [ -z "$best" ]; then
	echo "find-jdk22.sh: no JDK 22 or later in /usr/lib/jvm: install" \
		"one (e.g. Eclipse Temurin 25) there, or set BPFUNIT_JDK22_HOME to its home" >&2
	exit 1
fi
readlink -f "$best"
