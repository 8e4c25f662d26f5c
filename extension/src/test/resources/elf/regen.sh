#!/bin/sh
# Regenerates the ELF fixtures and the tool output the tests compare against.
# Needs clang, llvm-readelf, llvm-objdump and gcc (run from this directory).
set -eu
cd "$(dirname "$0")"
CFLAGS="-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu"
clang $CFLAGS -c xdp_fw.bpf.c -o xdp_fw.bpf.o
clang $CFLAGS -mcpu=v3 -c alu.bpf.c -o alu.bpf.o
clang $CFLAGS -c extern.bpf.c -o extern.bpf.o
clang $CFLAGS -c aya_unknown.bpf.c -o aya_unknown.bpf.o
clang $CFLAGS -c unlinked_extern.bpf.c -o unlinked_extern.bpf.o
for o in xdp_fw alu extern; do
	llvm-readelf -S -s -r $o.bpf.o > $o.readelf.txt
	llvm-objdump -d --no-show-raw-insn $o.bpf.o > $o.objdump.txt
done
printf 'int add(int a, int b) { return a + b; }\n' > x86.c
gcc -O2 -c x86.c -o x86.o

# The kernel's own disassembly: load each program (needs root and a bpf filesystem), then keep
# the translated instructions both as text and as raw bytes. Skipped unless run as root with bpftool.
if command -v bpftool >/dev/null && [ "$(id -u)" = 0 ]; then
	mount | grep -q 'type bpf' || mount -t bpf bpf /sys/fs/bpf
	for o in xdp_fw alu extern; do
		pin=/sys/fs/bpf/bpfunit_elf_regen_$o
		bpftool prog load $o.bpf.o $pin
		bpftool prog dump xlated pinned $pin > $o.xlated.txt
		rm -f $o.xlated.bin
		bpftool prog dump xlated pinned $pin file $o.xlated.bin
		rm -f $pin
	done
fi
