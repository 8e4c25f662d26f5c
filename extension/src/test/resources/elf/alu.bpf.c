// SPDX-License-Identifier: GPL-2.0
/* Fixture for the disassembler: compiled with -mcpu=v3 so that clang emits 32-bit ALU and
 * JMP32 instructions, atomics with fetch, xchg and cmpxchg, byte swaps and every load size. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 shared;
__u32 shared32;
__s64 table[8];

SEC("socket")
int alu(struct __sk_buff *skb)
{
	__u64 a = skb->len, b = skb->mark;
	__u32 x = skb->protocol, y = skb->priority;
	__s64 s = (__s64)a - 100;
	__u8 c = *(volatile __u8 *)&skb->cb[0];
	__u16 h = *(volatile __u16 *)&skb->cb[1];

	a += b; a -= 3; a *= b; a /= (b | 1); a %= (b | 3); a |= 0x10; a &= b; a ^= 0x55;
	a <<= (b & 7); a >>= 2; s >>= (a & 7); s >>= 3;
	x += y; x -= 7; x *= y; x /= (y | 1); x %= (y | 5); x |= 8; x &= y; x ^= y;
	x <<= (y & 15); x >>= 3; x = -x; a = -a;
	if ((__s32)x < (__s32)y) x = y + 1;
	if (x > 1000) x = 7;
	if (a >= b) a = b - 2;
	if (s <= -5) s = 9;
	if (x & 0x40) x += 1;
	a = __builtin_bswap64(a) + __builtin_bswap32(x) + __builtin_bswap16(h);

	__sync_fetch_and_add(&shared, a);
	__u64 old = __sync_fetch_and_or(&shared, b);
	old += __sync_fetch_and_and(&shared, 3);
	old += __sync_fetch_and_xor(&shared, 5);
	old += __sync_lock_test_and_set(&shared, 9);
	old += __sync_val_compare_and_swap(&shared, 9, old);
	__sync_fetch_and_add(&shared32, x);
	x += __sync_fetch_and_add(&shared32, 2);
	x += __sync_val_compare_and_swap(&shared32, 1, x);
	table[x & 7] = s + old + c;
	*(volatile __u16 *)&skb->cb[2] = h + 1;
	*(volatile __u8 *)&skb->cb[3] = c + 1;
	*(volatile __u32 *)&skb->cb[4] = 77;
	return (int)(a + s + x + old);
}

char LICENSE[] SEC("license") = "GPL";
