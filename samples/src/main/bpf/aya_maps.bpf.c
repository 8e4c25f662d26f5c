// SPDX-License-Identifier: GPL-2.0
/*
 * aya_maps: an object laid out the way Aya (Rust) emits one.
 *
 * No Rust BPF toolchain (rustc bpf target, bpf-linker) is available offline,
 * so this C file mimics what aya-ebpf's macros produce:
 *  - `#[map]` statics go to a section named "maps" (no dot), each one a
 *    28-byte `bpf_map_def` as aya-obj reads it: type, key_size, value_size,
 *    max_entries, map_flags, id, pinning (0 none, 1 by name). Symbol names
 *    are the Rust statics' names, upper case by convention.
 *  - `#[xdp]` goes to section "xdp", `#[classifier]` to "classifier",
 *    `#[socket_filter]` to "socket".
 * libbpf 1.x rejects the "maps" section, so bpftool 7 cannot load this
 * object; bpfunit must.
 *
 * Programs: aya_xdp drops frames whose IPv4 source is in BLOCKLIST and
 * counts verdicts in COUNTERS (index = XDP action); aya_classifier counts in
 * COUNTERS[3] and returns TC_ACT_OK; aya_socket keeps every packet (returns
 * skb->len) and counts it per CPU in PER_CPU.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* aya_obj::maps::bpf_map_def */
struct aya_map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 id;
	__u32 pinning;
};

struct aya_map_def BLOCKLIST SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1024,
};

struct aya_map_def COUNTERS SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct aya_map_def PER_CPU SEC("maps") = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

static __always_inline void bump(void *map, __u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(map, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int aya_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP) &&
	    bpf_map_lookup_elem(&BLOCKLIST, &ip->saddr)) {
		bump(&COUNTERS, XDP_DROP);
		return XDP_DROP;
	}
	bump(&COUNTERS, XDP_PASS);
	return XDP_PASS;
}

SEC("classifier")
int aya_classifier(struct __sk_buff *skb)
{
	bump(&COUNTERS, 3);
	return TC_ACT_OK;
}

SEC("socket")
int aya_socket(struct __sk_buff *skb)
{
	bump(&PER_CPU, 0);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
