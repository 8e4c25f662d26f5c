// SPDX-License-Identifier: GPL-2.0
/* Fixture for the ELF reader and the disassembler: an XDP firewall with BTF-defined maps,
 * global variables in .data/.bss/.rodata, a bpf-to-bpf call and helper calls. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

volatile const __u32 drop_action = XDP_DROP;
__u64 packets_seen = 1;
__u64 last_source;

static __attribute__((noinline)) int count(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&stats, &index);
	if (!value)
		return 0;
	__sync_fetch_and_add(value, 1);
	return 1;
}

SEC("xdp")
int xdp_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	packets_seen++;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 source = ip->saddr;
	last_source = source;
	if (bpf_map_lookup_elem(&blocklist, &source)) {
		count(1);
		return drop_action;
	}
	count(0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
