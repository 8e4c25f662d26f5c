// SPDX-License-Identifier: GPL-2.0
// Fixture for dev.bpfunit.btf tests: CO-RE relocations of several kinds.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct inner {
	int x;
	int y;
};

struct task {
	int pid;
	struct inner in[4];
	unsigned int flag : 3;
	long state;
} __attribute__((preserve_access_index));

enum mode { MODE_A = 1, MODE_B = 2 };

SEC("tracepoint/syscalls/sys_enter_write")
int trace(void *ctx)
{
	struct task *t = (struct task *)bpf_get_current_task();
	int y = BPF_CORE_READ(t, in[2].y);
	long r = 0;

	r += bpf_core_field_exists(t->state);
	r += bpf_core_field_size(t->pid);
	r += BPF_CORE_READ_BITFIELD_PROBED(t, flag);
	r += bpf_core_type_exists(struct inner);
	r += bpf_core_type_size(struct inner);
	r += bpf_core_enum_value_exists(enum mode, MODE_B);
	r += bpf_core_enum_value(enum mode, MODE_B);
	r += bpf_core_type_id_local(struct task);
	return y + r;
}

char LICENSE[] SEC("license") = "GPL";
