// An Aya-shaped BTF map (NAME { __0: UnsafeCell { value: def } }) whose definition holds a field no loader
// knows: bpfunit must read through the wrappers and still reject it, naming where it looked.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct HashMap_u32_u32 {
	struct UnsafeCell_HashMap_u32_u32 {
		struct {
			__uint(type, BPF_MAP_TYPE_HASH);
			__type(key, __u32);
			__type(value, __u32);
			__uint(max_entries, 4);
			__uint(frobnicate, 1);
		} value;
	} __0;
} WRAPPED SEC(".maps");

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&WRAPPED, &k) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
