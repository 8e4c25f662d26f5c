#!/usr/bin/env bash
# Compiles the sample BPF programs in src/main/bpf/*.bpf.c into the objects the
# tests load from the classpath, src/main/resources/bpf/<name>.bpf.o.
#
#   ./build-bpf.sh           rebuild every object in place
#   ./build-bpf.sh --check   rebuild into a temporary directory and fail,
#                            listing the files, if a committed object differs
#
# The output is byte-identical whatever the checkout path: clang runs inside
# src/main/bpf on bare file names, -fdebug-prefix-map maps the working
# directory to ".", and llvm-strip -g drops the DWARF (which holds the
# compilation directory) while keeping .BTF and .BTF.ext with line info.
# Objects depend on the compiler and headers too: the committed ones come from
# Debian 12's clang 14 with linux-libc-dev 6.1 and libbpf-dev 1.1 headers.
# Override the tools with CLANG=... and LLVM_STRIP=... if needed.
set -euo pipefail

CLANG=${CLANG:-clang}
LLVM_STRIP=${LLVM_STRIP:-llvm-strip}
EXPECTED_CLANG_MAJOR=14

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src_dir=$here/src/main/bpf
out_dir=$here/src/main/resources/bpf

usage() {
	echo "usage: $0 [--check]" >&2
	exit 2
}

check=false
case $# in
0) ;;
1) [[ $1 == --check ]] || usage; check=true ;;
*) usage ;;
esac

for tool in "$CLANG" "$LLVM_STRIP"; do
	command -v "$tool" >/dev/null || { echo "$0: '$tool' not found; install clang and llvm (Debian: apt-get install clang llvm libbpf-dev)" >&2; exit 2; }
done
[[ -f /usr/include/bpf/bpf_helpers.h ]] || { echo "$0: <bpf/bpf_helpers.h> not found; install libbpf-dev" >&2; exit 2; }

clang_major=$("$CLANG" -dumpversion | cut -d. -f1)
if [[ $clang_major != "$EXPECTED_CLANG_MAJOR" ]]; then
	msg="$CLANG is version $("$CLANG" -dumpversion); the committed objects were built with clang $EXPECTED_CLANG_MAJOR"
	if $check; then
		echo "$0: $msg, so a byte comparison means nothing. Use CLANG=clang-$EXPECTED_CLANG_MAJOR." >&2
		exit 2
	fi
	echo "$0: warning: $msg; expect different bytes." >&2
fi

multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
cflags=(-O2 -g -target bpf -Wall -Werror "-I/usr/include/$multiarch"
	"-fdebug-prefix-map=$src_dir=.")

# build DEST_DIR: compile every source into DEST_DIR.
build() {
	local dest=$1 src name
	shopt -s nullglob
	local sources=("$src_dir"/*.bpf.c)
	shopt -u nullglob
	((${#sources[@]} > 0)) || { echo "$0: no sources in $src_dir" >&2; exit 1; }
	for src in "${sources[@]}"; do
		name=$(basename "$src" .c)
		(cd "$src_dir" && "$CLANG" "${cflags[@]}" -c "$name.c" -o "$dest/$name.o")
		"$LLVM_STRIP" -g "$dest/$name.o"
	done
}

if ! $check; then
	mkdir -p "$out_dir"
	build "$out_dir"
	echo "built $(ls "$out_dir"/*.bpf.o | wc -l) objects in ${out_dir#$here/}"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build "$tmp"
differ=()
for f in "$tmp"/*.bpf.o; do
	name=$(basename "$f")
	if [[ ! -f $out_dir/$name ]]; then
		differ+=("$name (not committed)")
	elif ! cmp -s "$f" "$out_dir/$name"; then
		differ+=("$name")
	fi
done
for f in "$out_dir"/*.bpf.o; do
	[[ -e $f ]] || continue
	name=$(basename "$f")
	[[ -f $tmp/$name ]] || differ+=("$name (no source ${name%.o}.c)")
done
if ((${#differ[@]} > 0)); then
	echo "$0: these objects differ from a fresh build of src/main/bpf; run ./build-bpf.sh and commit:" >&2
	printf '  %s\n' "${differ[@]}" >&2
	exit 1
fi
echo "all $(ls "$tmp"/*.bpf.o | wc -l) objects match their sources"
