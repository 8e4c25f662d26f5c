// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_cc: a TCP congestion control written as struct_ops programs.
 *
 * Shows what bpfunit does not support: struct_ops programs are loaded by
 * libbpf for the members of the .struct_ops map (sample_cc) that point at
 * them, with the struct's BTF id and the member's index; bpfunit does not
 * create .struct_ops maps, so loading such a program fails saying so (see
 * README: Limitations). Found by the selftests sweep (bpf_cubic,
 * dummy_st_ops).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("struct_ops/sample_ssthresh")
__u32 BPF_PROG(sample_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/sample_cong_avoid")
void BPF_PROG(sample_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/sample_undo_cwnd")
__u32 BPF_PROG(sample_undo_cwnd, struct sock *sk)
{
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops sample_cc = {
	.ssthresh = (void *)sample_ssthresh,
	.cong_avoid = (void *)sample_cong_avoid,
	.undo_cwnd = (void *)sample_undo_cwnd,
	.name = "bpfunit_sample",
};

char LICENSE[] SEC("license") = "GPL";
