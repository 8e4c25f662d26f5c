// SPDX-License-Identifier: GPL-2.0
/*
 * storage_maps: maps the kernel sizes itself, defined without max_entries.
 *
 * Shows: socket-local storage and cgroup storage take max_entries 0 (the
 * kernel refuses any other value), so their definitions leave it out and
 * the loader must pass 0 on. Found by the selftests sweep (bpf_dctcp,
 * netcnt_prog, cg_storage_multi_*).
 *
 * count_egress counts the packets a cgroup sends in its cgroup storage and
 * lets them pass; sock_ops_seen marks each socket it sees in its socket
 * storage.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} packets SEC(".maps");

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	__u64 *count = bpf_get_local_storage(&packets, 0);

	__sync_fetch_and_add(count, 1);
	return 1;
}

SEC("sockops")
int sock_ops_seen(struct bpf_sock_ops *ops)
{
	struct bpf_sock *sk = ops->sk;
	__u64 *mark;

	if (!sk)
		return 1;
	mark = bpf_sk_storage_get(&seen, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (mark)
		*mark = 1;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
