// SPDX-License-Identifier: GPL-2.0
/* rejected_pointer_leak: returns a map value pointer where the cgroup_skb program type expects a verdict,
 * which would hand a kernel address to user space. The verifier refuses it. Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

SEC("cgroup_skb/ingress")
long pointer_leak(struct __sk_buff *skb)
{
	__u32 key = 0;

	return (long)bpf_map_lookup_elem(&verdicts, &key); /* BUG: a pointer as the return value */
}

char LICENSE[] SEC("license") = "GPL";
