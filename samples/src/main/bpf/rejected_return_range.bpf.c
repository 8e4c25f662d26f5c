// SPDX-License-Identifier: GPL-2.0
/* rejected_return_range: a cgroup_skb program must return 0 (drop) or 1 (allow); this one can return 2 or 3.
 * The verifier refuses it at exit; the line at fault is the return statement that set the value.
 * Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int return_range(struct __sk_buff *skb)
{
	__u32 mark = skb->mark;

	return mark & 3; /* BUG: cgroup_skb ingress allows 0 or 1 */
}

char LICENSE[] SEC("license") = "GPL";
