// SPDX-License-Identifier: GPL-2.0
/*
 * exceptions: a tc program that throws a BPF exception (bpf_throw, kernel 6.7+)
 * for a packet longer than `max_len`, caught by its exception callback.
 *
 * Shows: control that leaves the program from the middle of a block. The line
 * after bpf_throw() never runs (clang 14 does not know the kfunc does not
 * return, so it keeps it); the callback runs instead, with the cookie, and its
 * return value is the program's. Tests check the verdicts and that coverage
 * counts neither the line after the throw nor the lines after the `if` for a
 * thrown packet, and counts the callback once per throw; the callback reads
 * the clock, which a deterministic load replaces. Test: ExceptionsTest.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_throw(__u64 cookie) __ksym;

const volatile __u32 max_len = 100;

__u64 checked = 0;
__u64 passed = 0;
__u64 after_throw = 0;		/* stays 0: bpf_throw does not return */
__u64 caught = 0;
__u64 last_cookie = 0;
__u64 caught_at = 0;

/* The exception callback: global linkage, one u64 argument (the cookie). */
__noinline int catch_long(__u64 cookie)
{
	caught++;
	last_cookie = cookie;
	caught_at = bpf_ktime_get_ns();
	return 2;			/* TC_ACT_SHOT */
}

SEC("tc")
__attribute__((btf_decl_tag("exception_callback:catch_long")))
int guard(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	checked++;
	if (len > max_len) {
		bpf_throw(len);
		after_throw++;
	}
	passed++;
	return 0;			/* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
