// SPDX-License-Identifier: GPL-2.0
/* CO-RE on a packet program, as libbpf-bootstrap's tc example is written: vmlinux.h marks every struct
 * with preserve_access_index, so plain skb->field reads carry FIELD_BYTE_OFFSET relocations; also a field
 * existence, a type size and an enum value relocation, and a read of a field no kernel has, guarded by
 * bpf_core_field_exists() so that its poisoned instruction is dead code and the program still loads.
 * Test: BPF_PROG_TEST_RUN with a packet; the globals hold what the program saw. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TC_ACT_OK 0

/* A flavour of __sk_buff with a field no kernel has. */
struct __sk_buff___bpfunit {
	__u32 bpfunit_missing;
} __attribute__((preserve_access_index));

__u32 seen_len;
__u32 seen_protocol;
__u32 seen_ifindex;
__u32 has_tstamp;
__u32 has_missing;
__u32 missing_value;
__u32 skb_size;
__u32 trace_printk_id;

SEC("tc")
int core_tc(struct __sk_buff *skb)
{
	seen_len = skb->len;
	seen_protocol = skb->protocol;
	seen_ifindex = skb->ifindex;
	has_tstamp = bpf_core_field_exists(skb->tstamp);
	has_missing = bpf_core_field_exists(((struct __sk_buff___bpfunit *)skb)->bpfunit_missing);
	if (has_missing)
		missing_value = ((struct __sk_buff___bpfunit *)skb)->bpfunit_missing;
	skb_size = bpf_core_type_size(struct __sk_buff);
	trace_printk_id = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_trace_printk);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
