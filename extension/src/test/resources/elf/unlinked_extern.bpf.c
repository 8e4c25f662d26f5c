// SPDX-License-Identifier: GPL-2.0
/* Fixture for the ELF reader: an extern function that is neither __ksym nor __kconfig, defined in another
 * object that was not linked in (libbpf refuses to open it: "failed to find BTF for extern"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int defined_elsewhere(int x);

SEC("xdp")
int calls_elsewhere(struct xdp_md *ctx)
{
	return defined_elsewhere(2);
}

char LICENSE[] SEC("license") = "GPL";
