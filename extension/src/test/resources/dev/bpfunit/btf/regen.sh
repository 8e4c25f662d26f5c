#!/bin/sh
# Regenerates the BTF fixtures from their C sources (needs clang, llvm-objcopy and bpftool).
# For each X.bpf.c: X.bpf.o, X.btf (raw .BTF section), X.btf.ext (raw .BTF.ext section) and
# X.btf.txt (bpftool's raw dump of X.btf, which the tests compare against).
set -eu
cd "$(dirname "$0")"
for src in *.bpf.c; do
	name=${src%.bpf.c}
	clang -O2 -g -fdebug-prefix-map="$(pwd)"=. -target bpf -I/usr/include/x86_64-linux-gnu -c "$src" -o "$name.bpf.o"
	llvm-objcopy --dump-section .BTF="$name.btf" --dump-section .BTF.ext="$name.btf.ext" "$name.bpf.o" /dev/null
	bpftool btf dump file "$name.btf" > "$name.btf.txt"
done
# What the line_info and func_info tests check against: DWARF's line table and the symbol table.
llvm-dwarfdump --debug-line types.bpf.o | grep '^0x' > types.debug-line.txt
llvm-objdump -t types.bpf.o | grep "^0" > types.symbols.txt
llvm-objdump -h types.bpf.o | grep "^ *[0-9]" > types.sections.txt
