// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_maps: maps declared the pre-BTF way, in SEC("maps").
 *
 * Shows: the 20-byte `struct bpf_map_def` of old samples/bpf, iproute2 and
 * libbpf < 1.0. The loader reads each definition from the bytes of the
 * "maps" section (the symbol gives its name and offset); no BTF describes
 * keys or values. libbpf 1.x refuses this section ("legacy map definitions
 * in 'maps' section are not supported"), so bpftool 7 cannot load this
 * object; bpfunit can.
 *
 * legacy_xdp counts frames per EtherType class in `proto_count` (slot 0 IPv4,
 * 1 IPv6, 2 ARP, 3 anything else) and how often each frame length occurred
 * in `seen_len`. Always XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* libbpf 1.x no longer ships this struct: declare it as old code did. */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") proto_count = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") seen_len = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 128,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("xdp")
int legacy_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 slot = 3, len = data_end - data, one = 1;
	__u64 *count;
	__u32 *times;

	if ((void *)(eth + 1) <= data_end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			slot = 0;
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			slot = 1;
		else if (eth->h_proto == bpf_htons(ETH_P_ARP))
			slot = 2;
	}
	count = bpf_map_lookup_elem(&proto_count, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);

	times = bpf_map_lookup_elem(&seen_len, &len);
	if (times)
		__sync_fetch_and_add(times, 1);
	else
		bpf_map_update_elem(&seen_len, &len, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
