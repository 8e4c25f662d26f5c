#!/bin/sh
# Rebuilds the BPF fixtures of the @BpfTest extension's tests (needs clang and libbpf-dev).
set -e
cd "$(dirname "$0")"
for src in *.bpf.c; do
	clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$src" -o "${src%.c}.o"
done
