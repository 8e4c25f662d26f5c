// SPDX-License-Identifier: GPL-2.0
/*
 * aya_btf_maps: BTF map definitions shaped the way aya-ebpf's btf_maps emit
 * them (no Rust BPF toolchain is available offline to build a real one).
 *
 * aya-ebpf declares `#[btf_map] static NAME: HashMap<K, V, M> = ...` where
 *   HashMap<K, V, M, F>    is a tuple struct: one member, `__0`, of type
 *   UnsafeCell<Def>        a struct with one member, `value`, of type
 *   Def                    the definition libbpf knows: `type`, `key`, `value`,
 *                          `max_entries`, `map_flags`, each a pointer (type
 *                          and numbers as pointers to arrays, as __uint does;
 *                          key and value as pointers to the types, as __type
 *                          does). bpf-linker drops the zero-sized
 *                          AyaBtfMapMarker member and the Def's name.
 * So the VAR in .maps is `NAME: { __0: { value: { type, key, value, ... } } }`.
 * Rust names like `HashMap<u32, u64, 16>` are not C identifiers: here they are
 * spelled with underscores (bpf-linker also rewrites such names for the
 * kernel). Every map kind Aya has a BTF wrapper for that a test run can drive:
 *
 *   BLOCKLIST  HashMap<u32, u32, 16>            hash: IPv4 source -> rule
 *   LAST_LEN   Array<u64, 1>                    array: last frame length
 *   VERDICTS   PerCpuArray<u64, 4>              percpu_array: runs per XDP action
 *   PROTO_LEN  PerCpuHashMap<u32, u64, 8>       percpu_hash: bytes per IP protocol
 *   ROUTES     LpmTrie<[u8; 4], u32, 8>         lpm_trie (BPF_F_NO_PREALLOC): dst prefix -> action
 *   JUMPS      ProgramArray<2>                  prog_array: slot 0 tail-called
 *   EVENTS     RingBuf<DropEvent, 4096>         ringbuf: one DropEvent per drop; the
 *                                               record type is the definition's `value`
 *
 * aya_btf_xdp: an IPv4 frame whose source is in BLOCKLIST is dropped (reason 1);
 * else the longest ROUTES prefix matching its destination gives the action
 * (reason 2 when that is XDP_DROP); else JUMPS[0] is tail-called; a frame
 * that falls through passes. Every frame sets LAST_LEN, counts VERDICTS and
 * adds its length to PROTO_LEN[protocol]; .bss holds last_drop and
 * last_route. aya_btf_tail (the usual JUMPS[0])
 * returns XDP_TX and counts it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* One map as Aya lays it out: NAME { __0: UnsafeCell { value: Def } }. */
#define AYA_BTF_MAP(wrapper, name, ...)                   \
	struct wrapper {                                  \
		struct UnsafeCell_##wrapper {             \
			struct {                          \
				__VA_ARGS__               \
			} value;                          \
		} __0;                                    \
	} name SEC(".maps")

/* aya_ebpf::maps::lpm_trie::Key<[u8; 4]>, #[repr(C, packed)] */
struct Key_u8_4 {
	__u32 prefix_len;
	__u8 data[4];
} __attribute__((packed));

/* The record EVENTS carries. */
struct DropEvent {
	__u32 saddr;		/* network order, as in the packet */
	__u32 daddr;
	__u32 reason;		/* 1: blocklisted source, 2: a ROUTES prefix said drop */
	__u32 len;		/* frame length */
};

AYA_BTF_MAP(HashMap_u32_u32_16, BLOCKLIST,
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 16);
	__uint(map_flags, 0););

AYA_BTF_MAP(Array_u64_1, LAST_LEN,
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
	__uint(map_flags, 0););

AYA_BTF_MAP(PerCpuArray_u64_4, VERDICTS,
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
	__uint(map_flags, 0););

AYA_BTF_MAP(PerCpuHashMap_u32_u64_8, PROTO_LEN,
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
	__uint(map_flags, 0););

AYA_BTF_MAP(LpmTrie_u8_4_u32_8, ROUTES,
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct Key_u8_4);
	__type(value, __u32);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC););

AYA_BTF_MAP(ProgramArray_2, JUMPS,
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
	__uint(map_flags, 0););

AYA_BTF_MAP(RingBuf_DropEvent_4096, EVENTS,
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__type(value, struct DropEvent);
	__uint(max_entries, 4096);
	__uint(map_flags, 0););

/*
 * The last drop reported and the last route key looked up. Besides being
 * handy in a test, they give clang 14 the full types: it emits the pointees of
 * a nested wrapper's `key`/`value` as forward declarations otherwise (fixed in
 * LLVM 21, llvm/llvm-project#144097; bpf-linker's LLVM emits them whole).
 */
struct DropEvent last_drop;
struct Key_u8_4 last_route;

static __always_inline int finish(struct xdp_md *ctx, __u32 action, __u32 proto)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 zero = 0;
	__u64 *v;

	bpf_map_update_elem(&LAST_LEN, &zero, &len, BPF_ANY);
	v = bpf_map_lookup_elem(&VERDICTS, &action);
	if (v)
		*v += 1;
	v = bpf_map_lookup_elem(&PROTO_LEN, &proto);
	if (v)
		*v += len;
	else
		bpf_map_update_elem(&PROTO_LEN, &proto, &len, BPF_NOEXIST);
	return action;
}

static __always_inline void report(struct iphdr *ip, __u32 reason, __u32 len)
{
	struct DropEvent *e = bpf_ringbuf_reserve(&EVENTS, sizeof(*e), 0);

	if (!e)
		return;
	e->saddr = ip->saddr;
	e->daddr = ip->daddr;
	e->reason = reason;
	e->len = len;
	last_drop = *e;
	bpf_ringbuf_submit(e, 0);
}

SEC("xdp")
int aya_btf_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct Key_u8_4 key = { .prefix_len = 32 };
	__u32 *action;
	__u8 proto;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return finish(ctx, XDP_PASS, 0);
	if (bpf_map_lookup_elem(&BLOCKLIST, &ip->saddr)) {
		report(ip, 1, data_end - data);
		return finish(ctx, XDP_DROP, ip->protocol);
	}
	__builtin_memcpy(key.data, &ip->daddr, 4);
	last_route = key;
	action = bpf_map_lookup_elem(&ROUTES, &key);
	if (action && *action <= XDP_TX) {
		if (*action == XDP_DROP)
			report(ip, 2, data_end - data);
		return finish(ctx, *action, ip->protocol);
	}
	/* read before the tail call: some kernels (Debian's 6.12 here) treat bpf_tail_call() as changing the packet, so the
	 * verifier no longer trusts packet pointers after it */
	proto = ip->protocol;
	bpf_tail_call(ctx, &JUMPS, 0);
	return finish(ctx, XDP_PASS, proto);
}

SEC("xdp")
int aya_btf_tail(struct xdp_md *ctx)
{
	return finish(ctx, XDP_TX, 0);
}

char LICENSE[] SEC("license") = "GPL";
