#!/bin/sh
# Rebuilds the BPF fixtures of the assertions' tests (needs clang and libbpf-dev). counter and reject are
# copies of extension/src/test/resources/junit's.
set -e
cd "$(dirname "$0")"
for src in *.bpf.c; do
	clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$src" -o "${src%.c}.o"
done
