// SPDX-License-Identifier: GPL-2.0
/* rejected_unknown_kfunc: calls a kernel function (kfunc) that no kernel has, declared weak so that the
 * object loads as libbpf would load it (the call poisoned), but called without checking
 * bpf_ksym_exists() first. The verifier refuses the poisoned call. Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpfunit_no_such_kfunc(int x) __ksym __weak;

SEC("tc")
int unknown_kfunc(struct __sk_buff *skb)
{
	return bpfunit_no_such_kfunc(skb->len); /* BUG: no such kfunc, and no bpf_ksym_exists() check */
}

char LICENSE[] SEC("license") = "GPL";
