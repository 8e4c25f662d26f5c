#!/usr/bin/env bash
# Compiles the Linux kernel's BPF selftests (tools/testing/selftests/bpf/progs/*.c) with clang 14 against this
# host's vmlinux.h, for the loader sweep (see README.md beside this script). Objects that do not compile with
# clang 14 or against this vmlinux.h are skipped and counted.
#
#   compile-selftests.sh WORK_DIR        (default /work/sweep-src; needs linux-source-6.1 installed)
#
# Leaves WORK_DIR/obj/*.bpf.o, WORK_DIR/compile-failed.txt (one name a line) and WORK_DIR/compile-logs/.
set -euo pipefail
work=${1:-/work/sweep-src}
tarball=$(ls /usr/src/linux-source-*.tar.xz | head -1)
src=$work/$(basename "$tarball" .tar.xz)
mkdir -p "$work"
if [[ ! -d $src/tools/testing/selftests/bpf/progs ]]; then
    tar -C "$work" -xJf "$tarball" --wildcards "$(basename "$src")/tools/testing/selftests/bpf/*" \
        "$(basename "$src")/tools/lib/bpf/*" "$(basename "$src")/tools/include/*"
fi
sel=$src/tools/testing/selftests/bpf
# libbpf's headers as the selftests' Makefile installs them (INCLUDE_DIR/bpf); bpf_helper_defs.h is generated
# there from the kernel's uapi: take libbpf-dev's, which is libbpf 1.1's, of the same era.
mkdir -p "$work/inc/bpf"
cp "$src"/tools/lib/bpf/*.h "$work/inc/bpf/"
cp /usr/include/bpf/bpf_helper_defs.h "$work/inc/bpf/"
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$sel/vmlinux.h"
mkdir -p "$work/obj" "$work/compile-logs"
: > "$work/compile-failed.txt"
# The Makefile's BPF_CFLAGS + CLANG_CFLAGS for test_progs (CLANG_BPF_BUILD_RULE: -O2 -target bpf -mcpu=v3)
compile() {
    local c=$1 name
    name=$(basename "$c" .c)
    extra=()
    case $name in test_l4lb_noinline|test_xdp_noinline) extra=(-fno-inline) ;; esac
    if clang-14 -g -Werror -D__TARGET_ARCH_x86 -mlittle-endian -I"$work/inc" -I"$sel" -I"$src/tools/include/uapi" \
        -I/usr/include/x86_64-linux-gnu -Wno-compare-distinct-pointer-types -DENABLE_ATOMICS_TESTS "${extra[@]}" \
        -O2 -target bpf -mcpu=v3 -c "$c" -o "$work/obj/$name.bpf.o" > "$work/compile-logs/$name.log" 2>&1; then
        rm -f "$work/compile-logs/$name.log"
    else
        rm -f "$work/obj/$name.bpf.o"
        echo "$name"
    fi
}
export -f compile
export work sel src
ls "$sel"/progs/*.c | xargs -P 2 -I{} bash -c 'compile "$@"' _ {} >> "$work/compile-failed.txt"
sort -o "$work/compile-failed.txt" "$work/compile-failed.txt"
echo "compiled $(ls "$work"/obj/*.bpf.o | wc -l), failed $(wc -l < "$work/compile-failed.txt") of $(ls "$sel"/progs/*.c | wc -l)"
