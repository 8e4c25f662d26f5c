// SPDX-License-Identifier: Apache-2.0
/*
 * libbpf_bench: the C side of jmh/compare.sh. Times, with clock_gettime(CLOCK_MONOTONIC), the
 * operations the JMH benchmarks time in Java, on the same objects and the same packet:
 *
 *   load <obj>     bpf_object__open_file + bpf_object__load + bpf_object__close   (LoadBenchmark.load)
 *   parse <obj>    bpf_object__open_file + bpf_object__close                      (LoadBenchmark.parse)
 *   run            bpf_prog_test_run_opts, repeat 1, xdp_fw on the packet        (TestRunBenchmark.run)
 *   repeat         bpf_prog_test_run_opts, repeat R, per repetition              (TestRunBenchmark.repeat)
 *   kernel         opts.duration of those calls: the kernel's own average        (repeat:kernelNsSum/kernelRuns)
 *   lookup         bpf_map_lookup_elem of a present key in blocklist             (MapBenchmark.lookupBytes)
 *   update         bpf_map_update_elem of that key, BPF_ANY                      (MapBenchmark.updateBytes)
 *   load/parse <core obj>  the same for a CO-RE object, with the optional CORE_OBJ   (LoadBenchmark, core_tc)
 *   suite          per test: 200 x (open, load, xdp_fw run once, close)          (SuiteBenchmark.suite)
 *   first:<obj>    with --first: one open + load + close in a fresh process      (FirstLoadBenchmark)
 *   lookup_batch   bpf_map_lookup_batch of 64 keys, 256 asked per call, to ENOENT (BatchBenchmark.lookupBatch)
 *   update_batch   bpf_map_update_batch of those 64 keys                         (BatchBenchmark.updateBatch)
 *   ringbuf        bpf_prog_test_run_opts of ringbuf_event (one record) and
 *                  ring_buffer__consume copying it out                          (RingBufferBenchmark.runAndRead)
 *
 * Each operation runs a tenth of its count untimed first, then its count timed; the output is one
 * line per operation: "<name> <ns per op> <count>".
 *
 * usage: libbpf_bench XDP_FW_OBJ BIG_OBJ RINGBUF_OBJ PACKET_HEX LOADS CALLS REPEAT [CORE_OBJ]
 *        libbpf_bench --first OBJ
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

struct block_reason {
	uint32_t rule_id;
	uint32_t flags;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("libbpf_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static long parse_count(const char *s, const char *what)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n <= 0)
		die("%s must be a positive number, got '%s'", what, s);
	return n;
}

static size_t parse_hex(const char *hex, unsigned char *out, size_t cap)
{
	size_t len = strlen(hex), i;

	if (len % 2 != 0 || len / 2 > cap)
		die("the packet must be an even number of hex digits, at most %zu bytes", cap);
	for (i = 0; i < len / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			die("bad hex digit in the packet at offset %zu", 2 * i);
		out[i] = (unsigned char)b;
	}
	return len / 2;
}

static void report(const char *name, uint64_t total_ns, long count)
{
	printf("%s %.1f %ld\n", name, (double)total_ns / count, count);
}

/* Only libbpf's warnings and errors reach stderr; its debug chatter would slow the load loop. */
static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_DEBUG || level == LIBBPF_INFO ? 0 : vfprintf(stderr, fmt, args);
}

/* as BatchBenchmark and BpfMap.lookupBatch(): up to BATCH_ASK elements per call, until the kernel says ENOENT */
#define BATCH_ENTRIES 64
#define BATCH_ASK 256

static int lookup_all(int map_fd, uint32_t *keys, struct block_reason *values)
{
	uint32_t token, count;
	void *in = NULL;
	int total = 0, err;

	do {
		count = BATCH_ASK;
		err = bpf_map_lookup_batch(map_fd, in, &token, keys + total, values + total, &count, NULL);
		if (err && errno != ENOENT)
			die("bpf_map_lookup_batch: %s", strerror(errno));
		total += (int)count;
		in = &token;
	} while (!err && total <= BATCH_ASK); /* room for one more call in the caller's 2 x BATCH_ASK */
	return total;
}

static int copy_record(void *ctx, void *data, size_t size)
{
	memcpy(ctx, data, size < 64 ? size : 64);
	return 0;
}

static void open_close(const char *path, int load)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int err;

	if (!obj)
		die("bpf_object__open_file %s: %s", path, strerror(errno));
	if (load) {
		err = bpf_object__load(obj);
		if (err)
			die("bpf_object__load %s: %s", path, strerror(-err));
	}
	bpf_object__close(obj);
}

static void time_open(const char *label, const char *path, long n, int load)
{
	uint64_t t0;
	long i;

	for (i = 0; i < n / 10 + 1; i++)
		open_close(path, load);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		open_close(path, load);
	report(label, now_ns() - t0, n);
}

static const char *object_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	static char name[256];
	char *dot;

	snprintf(name, sizeof(name), "%s", slash ? slash + 1 : path);
	dot = strstr(name, ".bpf.o");
	if (dot)
		*dot = '\0';
	return name;
}

/*
 * As SuiteBenchmark's test class: SUITE_TESTS tests, each opening and loading a fresh object, running its program
 * xdp_fw once on the packet (repeat 1, the output buffer bpfunit gives) and closing it. Per test.
 */
#define SUITE_TESTS 200

static void one_test(const char *path, const unsigned char *packet, size_t packet_len, unsigned char *out,
		     uint32_t out_size)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int err;

	if (!obj)
		die("bpf_object__open_file %s: %s", path, strerror(errno));
	err = bpf_object__load(obj);
	if (err)
		die("bpf_object__load %s: %s", path, strerror(-err));
	prog = bpf_object__find_program_by_name(obj, "xdp_fw");
	if (!prog)
		die("%s has no program xdp_fw", path);
	LIBBPF_OPTS(bpf_test_run_opts, run,
		.data_in = packet, .data_size_in = (uint32_t)packet_len,
		.data_out = out, .data_size_out = out_size, .repeat = 1);
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &run))
		die("bpf_prog_test_run_opts: %s", strerror(errno));
	if (run.retval != XDP_PASS)
		die("xdp_fw returned %u on the packet, expected XDP_PASS (2)", run.retval);
	bpf_object__close(obj);
}

static void time_suite(const char *path, const unsigned char *packet, size_t packet_len, unsigned char *out,
		       uint32_t out_size)
{
	uint64_t t0;
	long i;

	for (i = 0; i < SUITE_TESTS / 10; i++)
		one_test(path, packet, packet_len, out, out_size);
	t0 = now_ns();
	for (i = 0; i < SUITE_TESTS; i++)
		one_test(path, packet, packet_len, out, out_size);
	report("suite", now_ns() - t0, SUITE_TESTS);
}

/* "libbpf_bench --first OBJ": one open + load + close in this fresh process, as FirstLoadBenchmark's fork does. */
static int first_load(const char *path)
{
	uint64_t t0;
	char label[300];

	libbpf_set_print(print_warnings);
	t0 = now_ns();
	open_close(path, 1);
	snprintf(label, sizeof(label), "first:%s", object_name(path));
	report(label, now_ns() - t0, 1);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char packet[1500], out[1500 + 4096];
	struct block_reason reason = { .rule_id = 7, .flags = 0 }, got;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	uint32_t key, out_size;
	uint64_t t0, kernel_ns = 0;
	long loads, calls, repeat, i, repeat_calls;
	size_t packet_len;
	char label[300];
	int prog_fd, map_fd, err;
	uint32_t batch_keys[BATCH_ENTRIES], got_keys[BATCH_ASK * 2], batch_count;
	struct block_reason batch_values[BATCH_ENTRIES], got_values[BATCH_ASK * 2];
	long batch_calls, rb_calls;
	struct ring_buffer *rb;
	unsigned char record[64];

	if (argc == 3 && strcmp(argv[1], "--first") == 0)
		return first_load(argv[2]);
	if (argc != 8 && argc != 9)
		die("usage: libbpf_bench XDP_FW_OBJ BIG_OBJ RINGBUF_OBJ PACKET_HEX LOADS CALLS REPEAT [CORE_OBJ]\n"
		    "       libbpf_bench --first OBJ");
	packet_len = parse_hex(argv[4], packet, sizeof(packet));
	loads = parse_count(argv[5], "LOADS");
	calls = parse_count(argv[6], "CALLS");
	repeat = parse_count(argv[7], "REPEAT");
	libbpf_set_print(print_warnings);

	for (i = 1; i <= 2; i++) {
		snprintf(label, sizeof(label), "load:%s", object_name(argv[i]));
		time_open(label, argv[i], loads, 1);
		snprintf(label, sizeof(label), "parse:%s", object_name(argv[i]));
		time_open(label, argv[i], loads, 0);
	}

	/* a CO-RE object: libbpf reads the kernel's BTF again for every load */
	if (argc == 9) {
		snprintf(label, sizeof(label), "load:%s", object_name(argv[8]));
		time_open(label, argv[8], loads, 1);
		snprintf(label, sizeof(label), "parse:%s", object_name(argv[8]));
		time_open(label, argv[8], loads, 0);
	}
	out_size = (uint32_t)packet_len + 4096;
	time_suite(argv[1], packet, packet_len, out, out_size);

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		die("bpf_object__open_file %s: %s", argv[1], strerror(errno));
	err = bpf_object__load(obj);
	if (err)
		die("bpf_object__load %s: %s", argv[1], strerror(-err));
	prog = bpf_object__find_program_by_name(obj, "xdp_fw");
	map = bpf_object__find_map_by_name(obj, "blocklist");
	if (!prog || !map)
		die("%s has no program xdp_fw or no map blocklist", argv[1]);
	prog_fd = bpf_program__fd(prog);
	map_fd = bpf_map__fd(map);

	/* as TestRunBenchmark: repeat 1, an output buffer of the packet plus 4096 bytes (bpfunit's default) */
	out_size = (uint32_t)packet_len + 4096;
	LIBBPF_OPTS(bpf_test_run_opts, run,
		.data_in = packet, .data_size_in = (uint32_t)packet_len,
		.data_out = out, .data_size_out = out_size, .repeat = 1);
	for (i = 0; i < calls / 10 + 1; i++) {
		run.data_size_out = out_size;
		if (bpf_prog_test_run_opts(prog_fd, &run))
			die("bpf_prog_test_run_opts: %s", strerror(errno));
	}
	if (run.retval != XDP_PASS)
		die("xdp_fw returned %u on the packet, expected XDP_PASS (2)", run.retval);
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		run.data_size_out = out_size;
		bpf_prog_test_run_opts(prog_fd, &run);
	}
	report("run", now_ns() - t0, calls);

	/* as TestRunBenchmark.repeat: per repetition, and the kernel's average (opts.duration) */
	repeat_calls = calls / repeat + 10;
	run.repeat = (int)repeat;
	for (i = 0; i < repeat_calls / 10 + 1; i++) {
		run.data_size_out = out_size;
		bpf_prog_test_run_opts(prog_fd, &run);
	}
	t0 = now_ns();
	for (i = 0; i < repeat_calls; i++) {
		run.data_size_out = out_size;
		if (bpf_prog_test_run_opts(prog_fd, &run))
			die("bpf_prog_test_run_opts repeat %ld: %s", repeat, strerror(errno));
		kernel_ns += run.duration;
	}
	report("repeat", now_ns() - t0, repeat_calls * repeat);
	printf("kernel %.1f %ld\n", (double)kernel_ns / repeat_calls, repeat_calls * repeat);

	/* as MapBenchmark: key 10.0.0.99 (network order), value { 7, 0 } */
	key = htonl(0x0a000063);
	if (bpf_map_update_elem(map_fd, &key, &reason, BPF_ANY))
		die("bpf_map_update_elem: %s", strerror(errno));
	for (i = 0; i < calls / 10 + 1; i++)
		bpf_map_lookup_elem(map_fd, &key, &got);
	t0 = now_ns();
	for (i = 0; i < calls; i++)
		bpf_map_lookup_elem(map_fd, &key, &got);
	report("lookup", now_ns() - t0, calls);
	if (got.rule_id != 7)
		die("blocklist lookup returned rule_id %u, expected 7", got.rule_id);
	for (i = 0; i < calls / 10 + 1; i++)
		bpf_map_update_elem(map_fd, &key, &reason, BPF_ANY);
	t0 = now_ns();
	for (i = 0; i < calls; i++)
		bpf_map_update_elem(map_fd, &key, &reason, BPF_ANY);
	report("update", now_ns() - t0, calls);

	/* as BatchBenchmark: the map holds 64 keys, 10.0.1.0 - 10.0.1.63, and nothing else */
	if (bpf_map_delete_elem(map_fd, &key))
		die("bpf_map_delete_elem: %s", strerror(errno));
	for (i = 0; i < BATCH_ENTRIES; i++) {
		batch_keys[i] = htonl(0x0a000100 + (uint32_t)i);
		batch_values[i].rule_id = (uint32_t)i;
		batch_values[i].flags = 0;
	}
	batch_count = BATCH_ENTRIES;
	if (bpf_map_update_batch(map_fd, batch_keys, batch_values, &batch_count, NULL))
		die("bpf_map_update_batch: %s", strerror(errno));
	batch_calls = calls / BATCH_ENTRIES + 10;
	for (i = 0; i < batch_calls / 10 + 1; i++)
		lookup_all(map_fd, got_keys, got_values);
	t0 = now_ns();
	for (i = 0; i < batch_calls; i++)
		lookup_all(map_fd, got_keys, got_values);
	report("lookup_batch", now_ns() - t0, batch_calls);
	if (lookup_all(map_fd, got_keys, got_values) != BATCH_ENTRIES)
		die("bpf_map_lookup_batch did not return the %d keys", BATCH_ENTRIES);
	for (i = 0; i < batch_calls / 10 + 1; i++) {
		batch_count = BATCH_ENTRIES;
		bpf_map_update_batch(map_fd, batch_keys, batch_values, &batch_count, NULL);
	}
	t0 = now_ns();
	for (i = 0; i < batch_calls; i++) {
		batch_count = BATCH_ENTRIES;
		if (bpf_map_update_batch(map_fd, batch_keys, batch_values, &batch_count, NULL))
			die("bpf_map_update_batch: %s", strerror(errno));
	}
	report("update_batch", now_ns() - t0, batch_calls);
	bpf_object__close(obj);

	/* as RingBufferBenchmark: one test run submitting one record, then consuming it */
	obj = bpf_object__open_file(argv[3], NULL);
	if (!obj)
		die("bpf_object__open_file %s: %s", argv[3], strerror(errno));
	err = bpf_object__load(obj);
	if (err)
		die("bpf_object__load %s: %s", argv[3], strerror(-err));
	prog = bpf_object__find_program_by_name(obj, "ringbuf_event");
	map = bpf_object__find_map_by_name(obj, "events");
	if (!prog || !map)
		die("%s has no program ringbuf_event or no map events", argv[3]);
	prog_fd = bpf_program__fd(prog);
	rb = ring_buffer__new(bpf_map__fd(map), copy_record, record, NULL);
	if (!rb)
		die("ring_buffer__new: %s", strerror(errno));
	/* a twentieth of the calls: the submit's wakeup makes each one take tens of microseconds here */
	rb_calls = calls / 20 + 10;
	run.repeat = 1;
	for (i = 0; i < rb_calls / 10 + 1; i++) {
		run.data_size_out = out_size;
		if (bpf_prog_test_run_opts(prog_fd, &run))
			die("bpf_prog_test_run_opts ringbuf_event: %s", strerror(errno));
		if (ring_buffer__consume(rb) != 1)
			die("ring_buffer__consume did not read the one record ringbuf_event submitted");
	}
	t0 = now_ns();
	for (i = 0; i < rb_calls; i++) {
		run.data_size_out = out_size;
		bpf_prog_test_run_opts(prog_fd, &run);
		ring_buffer__consume(rb);
	}
	report("ringbuf", now_ns() - t0, rb_calls);
	ring_buffer__free(rb);

	bpf_object__close(obj);
	return 0;
}
