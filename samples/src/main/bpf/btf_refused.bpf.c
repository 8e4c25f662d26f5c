// SPDX-License-Identifier: GPL-2.0
/*
 * btf_refused: an object whose BTF every kernel refuses.
 *
 * Shows: a pointer to an enum that is only declared (enum later;) gives BTF
 * an ENUM of size 0, which the kernel rejects ("Unexpected size"). libbpf
 * then loads the object without BTF (it is optional for the kernel), and so
 * must bpfunit. Found by the selftests sweep
 * (btf_dump_test_case_namespacing).
 *
 * xdp_pass_all passes every frame and counts it in .bss.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum later;

struct holder {
	enum later *what;
	int count;
};

struct holder holder;

SEC("xdp")
int xdp_pass_all(struct xdp_md *ctx)
{
	holder.count++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
