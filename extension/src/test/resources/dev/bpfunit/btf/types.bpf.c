// SPDX-License-Identifier: GPL-2.0
// Fixture for dev.bpfunit.btf tests: one of each kind of type clang 14 emits.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned int u32_t;

enum proto { PROTO_TCP = 6, PROTO_UDP = 17, PROTO_NEG = -1 };
enum big { BIG_SMALL = 1, BIG_HUGE = 0x1234567890ULL };

struct flags {
	unsigned int a : 3;
	int b : 5;
	unsigned char c : 1;
	unsigned long long d : 40;
	unsigned short tail;
};

union addr {
	__u32 v4;
	__u8 v6[16];
};

struct stats {
	__u64 packets;
	__u64 bytes;
	char name[16];
	enum proto proto;
	struct flags flags;
	union addr addr;
	union {
		__u32 anon_a;
		__u16 anon_b;
	};
	float ratio;
	double avg;
	int matrix[2][3];
	enum big big;
	_Bool ok;
	int (*callback)(void *ctx, int n);
	const volatile u32_t *cv;
	struct stats *restrict next;
};

struct fwd_only;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct stats);
} stats_map SEC(".maps");

int tagged_var __attribute__((btf_decl_tag("my_tag"))) = 7;
struct stats global_stats = {
	.packets = 3,
	.bytes = 180,
	.name = "eth0",
	.proto = PROTO_UDP,
	.flags = { .a = 5, .b = -3, .c = 1, .d = 0x123456789ULL, .tail = 7 },
	.addr = { .v4 = 0x0100007f },
	.anon_a = 9,
	.ratio = 0.5f,
	.avg = -2.25,
	.matrix = { { 1, 2, 3 }, { 4, 5, 6 } },
	.big = BIG_SMALL,
	.ok = 1,
};
__u64 zeroed[4];
const volatile int ro_const = 42;
static volatile int static_counter = 5;
struct fwd_only *fwd_ptr;
int __attribute__((btf_type_tag("user"))) *user_ptr;

static __attribute__((noinline)) int helper(struct stats *s, u32_t n)
{
	s->packets += n;
	return s->flags.b + s->addr.v4 + (int)s->big;
}

static __attribute__((noinline)) int scale(int v, float f)
{
	if (v > 100)
		return v / 2;
	return v + (int)f;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	struct stats *s = bpf_map_lookup_elem(&stats_map, &key);

	if (!s)
		return XDP_PASS;
	static_counter++;
	return scale(helper(s, ctx->data_end - ctx->data), 1.5f) + ro_const + tagged_var;
}

char LICENSE[] SEC("license") = "GPL";
