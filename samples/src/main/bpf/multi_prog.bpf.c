// SPDX-License-Identifier: GPL-2.0
/*
 * multi_prog: many programs in one object, one per kind of section name.
 *
 * Shows how a loader derives the program type (and expected attach type)
 * from the section name, as libbpf's section table does:
 *  - two programs sharing SEC("xdp"): xdp_pass_all, xdp_drop_all;
 *  - tracepoint/syscalls/sys_enter_getpid  -> TRACEPOINT
 *  - raw_tp/sys_enter                      -> RAW_TRACEPOINT
 *  - kprobe/do_nanosleep                   -> KPROBE
 *  - cgroup_skb/ingress                    -> CGROUP_SKB, BPF_CGROUP_INET_INGRESS
 *  - sk_lookup                             -> SK_LOOKUP, BPF_SK_LOOKUP
 *  - flow_dissector                        -> FLOW_DISSECTOR, BPF_FLOW_DISSECTOR
 *  - syscall                               -> SYSCALL (sleepable)
 * `tcx/ingress` is left out: Debian 12's headers (linux-libc-dev 6.1) have no
 * BPF_TCX_INGRESS and its libbpf 1.1 does not know the section.
 * The tracing programs that need a vmlinux BTF id are in tracing.bpf.c; a
 * program in a section libbpf does not know is in custom_section.bpf.c.
 *
 * The tracing programs count their hits in .bss counters; the others return
 * a fixed or simple verdict.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 getpid_calls;
__u64 sys_enter_calls;
__u64 nanosleep_calls;
__u64 syscall_runs;

SEC("xdp")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int tp_getpid(void *ctx)
{
	__sync_fetch_and_add(&getpid_calls, 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__sync_fetch_and_add(&sys_enter_calls, 1);
	return 0;
}

SEC("kprobe/do_nanosleep")
int kprobe_nanosleep(void *ctx)
{
	__sync_fetch_and_add(&nanosleep_calls, 1);
	return 0;
}

/* Allow (1) frames up to 1500 bytes, drop (0) larger ones. */
SEC("cgroup_skb/ingress")
int cgroup_ingress(struct __sk_buff *skb)
{
	return skb->len <= 1500;
}

/* Refuse lookups for local port 7 (echo); let the kernel decide the rest. */
SEC("sk_lookup")
int sk_lookup_echo(struct bpf_sk_lookup *ctx)
{
	return ctx->local_port == 7 ? SK_DROP : SK_PASS;
}

/* Fill the flow keys of an IPv4 packet; drop anything else from dissection. */
SEC("flow_dissector")
int dissect_ipv4(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip;
	__u32 nhoff = keys->nhoff;

	if (keys->n_proto != bpf_htons(ETH_P_IP))
		return BPF_DROP;
	/* Without an upper bound the verifier cannot range-check ip below. */
	if (nhoff > 256)
		return BPF_DROP;
	ip = data + nhoff;
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return BPF_DROP;
	keys->addr_proto = ETH_P_IP;
	keys->ipv4_src = ip->saddr;
	keys->ipv4_dst = ip->daddr;
	keys->ip_proto = ip->protocol;
	keys->thoff = nhoff + ip->ihl * 4;
	return BPF_OK;
}

/* Test-runnable with no context at all; returns how often it ran. */
SEC("syscall")
int syscall_count(void *ctx)
{
	return __sync_add_and_fetch(&syscall_runs, 1);
}

char LICENSE[] SEC("license") = "GPL";
