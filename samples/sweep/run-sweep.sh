#!/usr/bin/env bash
# The loader sweep: compiles the kernel's BPF selftests and loads every object with libbpf (bpftool) and with
# bpfunit, comparing what each sees and what the kernel translated (see README.md beside this script).
#
#   samples/sweep/run-sweep.sh [WORK_DIR]      (default /work/sweep-src; as root, with bpffs and bpftool)
#
# Needs the bpfunit modules installed (mvn -B -DskipTests install) and linux-source-6.1
# (apt-get install linux-source-6.1). Results: WORK_DIR/results/{summary.txt,results.tsv,details/}.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${1:-/work/sweep-src}
"$here/compile-selftests.sh" "$work"
before=$(bpftool prog show | grep -c '^[0-9]' || true)
cd "$here/../.."
mvn -B -q -pl samples test -Dtest=SelftestsSweepTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbpfunit.sweep.objects="$work/obj" -Dbpfunit.sweep.out="$work/results" ${SWEEP_ONLY:+-Dbpfunit.sweep.only="$SWEEP_ONLY"}
after=$(bpftool prog show | grep -c '^[0-9]' || true)
cat "$work/results/summary.txt"
echo "compile failures: $(wc -l < "$work/compile-failed.txt") (list: $work/compile-failed.txt)"
echo "programs in the kernel before the sweep: $before, after: $after (other processes count too)"
