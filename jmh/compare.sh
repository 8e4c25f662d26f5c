#!/usr/bin/env bash
# Sets bpfunit (JMH) beside libbpf (C) on the same operations, objects and packet, in one run, and prints
# ns/op for each and the ratio Java/C. See jmh/README.md for what each row measures.
#
# usage: jmh/compare.sh [--build] [--loads N] [--calls N] [--jmh "JMH OPTIONS"]
#   --build        rebuild target/benchmarks.jar first (it is built anyway when missing)
#   --loads N      C: object loads (and parses) timed per object      (default 200)
#   --calls N      C: test runs and map operations timed              (default 200000)
#   --jmh OPTS     JMH options                                        (default: -wi 2 -i 3 -f 1 -w 1s -r 1s)
# Needs root (or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON), gcc and libbpf-dev, libelf-dev, zlib1g-dev.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
objects="$root/samples/src/main/resources/bpf"
out="$here/target/compare"
jar="$here/target/benchmarks.jar"
repeat=1000   # TestRunBenchmark.REPEAT
loads=200
calls=200000
jmh_opts="-wi 2 -i 3 -f 1 -w 1s -r 1s"
build=0

while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=1; shift ;;
        --loads) loads="$2"; shift 2 ;;
        --calls) calls="$2"; shift 2 ;;
        --jmh) jmh_opts="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

if [ "$build" = 1 ] || [ ! -f "$jar" ]; then
    echo "building $jar ..."
    (cd "$root" && mvn -B -q -pl jmh -am package -DskipTests)
fi
mkdir -p "$out"
gcc -O2 -Wall -Wextra -o "$out/libbpf_bench" "$here/src/main/c/libbpf_bench.c" -lbpf -lelf -lz
packet="$(java -cp "$jar" dev.bpfunit.jmh.Samples)"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) CPUs, kernel $(uname -r), load average (1/5/15 min) before: $load_before"
echo "C (libbpf $(pkg-config --modversion libbpf 2>/dev/null || echo '?')): loads=$loads calls=$calls repeat=$repeat"
run_c() {
    # the last argument (issue 16): a CO-RE object, for the load:core_tc / parse:core_tc rows
    "$out/libbpf_bench" "$objects/xdp_fw.bpf.o" "$objects/multi_prog.bpf.o" "$packet" "$loads" "$calls" "$repeat" \
        "$objects/core_tc.bpf.o"
}
# C runs before and after JMH: the table shows their mean, and how far apart they were says how much the
# machine's load moved during the run.
run_c > "$out/c-before.txt"
echo "Java (JMH $jmh_opts), log in $out/jmh.log"
# shellcheck disable=SC2086  # the JMH options are words on purpose
java -jar "$jar" 'dev\.bpfunit\.jmh\..*' -e FirstLoadBenchmark $jmh_opts -rf json -rff "$out/jmh.json" \
    > "$out/jmh.log" 2>&1 || {
    tail -30 "$out/jmh.log" >&2; echo "compare.sh: JMH failed, see $out/jmh.log" >&2; exit 1; }
# issue 16: the first load in a fresh JVM (single shot, 5 forks, whatever --jmh says) and in a fresh C process
echo "first loads: Java, 5 fresh JVMs per object; C, 5 fresh processes per object"
java -jar "$jar" FirstLoadBenchmark -f 5 -rf json -rff "$out/jmh-first.json" > "$out/jmh-first.log" 2>&1 || {
    tail -30 "$out/jmh-first.log" >&2; echo "compare.sh: JMH failed, see $out/jmh-first.log" >&2; exit 1; }
: > "$out/c-first.txt"
for _ in 1 2 3 4 5; do
    for first in core_tc xdp_fw; do
        "$out/libbpf_bench" --first "$objects/$first.bpf.o" >> "$out/c-first.txt"
    done
done
echo "C again, after JMH"
run_c > "$out/c-after.txt"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out/c-before.txt" "$out/c-after.txt" "$out/jmh.json" "$repeat" "$out/c-first.txt" \
    "$out/jmh-first.json" <<'PY'
import json, sys

def read_c(path):
    values = {}
    for line in open(path):
        name, ns, _count = line.split()
        values[name] = float(ns)
    return values

before, after = read_c(sys.argv[1]), read_c(sys.argv[2])
c = {k: (before[k] + after[k]) / 2 for k in before}
c_spread = {k: abs(before[k] - after[k]) / c[k] * 100 if c[k] > 0 else float("nan") for k in before}
repeat = sys.argv[4]

# issue 16: first loads, C from fresh processes (mean and spread of the runs)
firsts = {}
for line in open(sys.argv[5]):
    name, ns, _count = line.split()
    firsts.setdefault(name, []).append(float(ns))
for name, values in firsts.items():
    c[name] = sum(values) / len(values)
    c_spread[name] = (max(values) - min(values)) / c[name] * 100 if c[name] > 0 else float("nan")

java, spread = {}, {}
for r in json.load(open(sys.argv[3])) + json.load(open(sys.argv[6])):
    bench = r["benchmark"].rsplit(".", 2)
    key = bench[1] + "." + bench[2]
    if "object" in r.get("params", {}):
        key += ":" + r["params"]["object"]
    pm = r["primaryMetric"]
    scale = {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6}[pm["scoreUnit"]]
    java[key] = pm["score"] * scale
    samples = [v for fork in pm["rawData"] for v in fork]
    spread[key] = (max(samples) - min(samples)) / pm["score"] * 100 if pm["score"] > 0 else float("nan")
    sec = r.get("secondaryMetrics", {})
    if "kernelNsSum" in sec and sec["kernelRuns"]["score"] > 0:
        java["kernel"] = sec["kernelNsSum"]["score"] / sec["kernelRuns"]["score"]
        spread["kernel"] = float("nan")

rows = [
    ("load xdp_fw (open+load+close)", "load:xdp_fw", "LoadBenchmark.load:xdp_fw"),
    ("load multi_prog (9 programs)", "load:multi_prog", "LoadBenchmark.load:multi_prog"),
    ("parse xdp_fw (no kernel)", "parse:xdp_fw", "LoadBenchmark.parse:xdp_fw"),
    ("parse multi_prog (no kernel)", "parse:multi_prog", "LoadBenchmark.parse:multi_prog"),
    ("test run, repeat 1, per call", "run", "TestRunBenchmark.run"),
    ("test run, repeat %s, per repetition" % repeat, "repeat", "TestRunBenchmark.repeat"),
    ("  kernel durationNs per repetition", "kernel", "kernel"),
    ("map lookup, byte[]", "lookup", "MapBenchmark.lookupBytes"),
    ("map lookup, BTF lookupValue", "lookup", "MapBenchmark.lookupValue"),
    ("map update, byte[]", "update", "MapBenchmark.updateBytes"),
    ("map update, BTF updateValue", "update", "MapBenchmark.updateValue"),
    # issue 16: CO-RE loads, the first load of a process, a suite's cost per test
    ("load core_tc (CO-RE)", "load:core_tc", "LoadBenchmark.load:core_tc"),
    ("parse core_tc (no kernel)", "parse:core_tc", "LoadBenchmark.parse:core_tc"),
    ("first load core_tc, fresh JVM/process", "first:core_tc", "FirstLoadBenchmark.firstLoad:core_tc"),
    ("first load xdp_fw, fresh JVM/process", "first:xdp_fw", "FirstLoadBenchmark.firstLoad:xdp_fw"),
    ("suite of 200 @BpfTest, per test", "suite", "SuiteBenchmark.suite"),
]

nan = float("nan")

def fmt(ns):
    return "%.0f" % ns if ns == ns else "-"

def pct(p):
    return "%.0f%%" % p if p == p else "-"

print()
print("%-38s %11s %7s %11s %7s %7s" % ("operation", "C ns/op", "spread", "Java ns/op", "spread", "Java/C"))
for label, ckey, jkey in rows:
    cv, jv = c.get(ckey, nan), java.get(jkey, nan)
    ratio = jv / cv if cv == cv and jv == jv and cv > 0 else nan
    print("%-38s %11s %7s %11s %7s %7s" % (label, fmt(cv), pct(c_spread.get(ckey, nan)), fmt(jv),
                                           pct(spread.get(jkey, nan)), "%.2f" % ratio if ratio == ratio else "-"))
PY
echo
echo "load average before: $load_before, after: $load_after"
echo "C: mean of the runs before and after JMH; spread: how far apart they were. Java spread: (max - min) / mean"
echo "of JMH's measurement iterations. The default run (JMH -wi 2 -i 3 -f 1 -w 1s -r 1s) is short and meant"
echo "for ratios: on a small, shared machine single figures move by tens of percent between runs. For absolute"
echo "numbers use a longer run (--jmh '-wi 5 -i 10 -f 2') on a quiet machine."
echo "Raw results: $out/c-before.txt, $out/c-after.txt and $out/jmh.json (first loads: c-first.txt, jmh-first.json)."
