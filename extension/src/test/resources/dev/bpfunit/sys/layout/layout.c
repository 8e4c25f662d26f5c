/*
 * Prints the offset and size of every bpf_attr / bpf_*_info member that dev.bpfunit.sys writes or
 * reads, as "<group> <member> <offset> <size>". Built against a vmlinux.h dumped from the running
 * kernel's BTF, so the numbers are the kernel's own layout (see regen.sh).
 */
#include "vmlinux.h"

#define offsetof(T, m) __builtin_offsetof(T, m)
#define F(group, T, m) \
	__builtin_printf("%s %s %lu %lu\n", group, #m, (unsigned long)offsetof(T, m), \
			 (unsigned long)sizeof(((T *)0)->m))
#define A(group, m) F(group, union bpf_attr, m)

int main(void)
{
	A("map_create", map_type); A("map_create", key_size); A("map_create", value_size);
	A("map_create", max_entries); A("map_create", map_flags); A("map_create", inner_map_fd);
	A("map_create", numa_node); A("map_create", map_name); A("map_create", map_ifindex);
	A("map_create", btf_fd); A("map_create", btf_key_type_id); A("map_create", btf_value_type_id);
	A("map_create", btf_vmlinux_value_type_id); A("map_create", map_extra);
	A("map_create", value_type_btf_obj_fd); A("map_create", map_token_fd);

	A("map_elem", map_fd); A("map_elem", key); A("map_elem", value); A("map_elem", next_key);
	A("map_elem", flags);

	A("map_batch", batch.in_batch); A("map_batch", batch.out_batch); A("map_batch", batch.keys);
	A("map_batch", batch.values); A("map_batch", batch.count); A("map_batch", batch.map_fd);
	A("map_batch", batch.elem_flags); A("map_batch", batch.flags);

	A("prog_load", prog_type); A("prog_load", insn_cnt); A("prog_load", insns);
	A("prog_load", license); A("prog_load", log_level); A("prog_load", log_size);
	A("prog_load", log_buf); A("prog_load", kern_version); A("prog_load", prog_flags);
	A("prog_load", prog_name); A("prog_load", prog_ifindex); A("prog_load", expected_attach_type);
	A("prog_load", prog_btf_fd); A("prog_load", func_info_rec_size); A("prog_load", func_info);
	A("prog_load", func_info_cnt); A("prog_load", line_info_rec_size); A("prog_load", line_info);
	A("prog_load", line_info_cnt); A("prog_load", attach_btf_id); A("prog_load", attach_prog_fd);
	A("prog_load", attach_btf_obj_fd); A("prog_load", core_relo_cnt); A("prog_load", fd_array);
	A("prog_load", core_relos); A("prog_load", core_relo_rec_size); A("prog_load", log_true_size);

	A("obj", pathname); A("obj", bpf_fd); A("obj", file_flags); A("obj", path_fd);

	A("test", test.prog_fd); A("test", test.retval); A("test", test.data_size_in);
	A("test", test.data_size_out); A("test", test.data_in); A("test", test.data_out);
	A("test", test.repeat); A("test", test.duration); A("test", test.ctx_size_in);
	A("test", test.ctx_size_out); A("test", test.ctx_in); A("test", test.ctx_out);
	A("test", test.flags); A("test", test.cpu); A("test", test.batch_size);

	A("get_id", start_id); A("get_id", prog_id); A("get_id", map_id); A("get_id", btf_id);
	A("get_id", next_id); A("get_id", open_flags);

	A("prog_attach", target_fd); A("prog_attach", attach_bpf_fd); A("prog_attach", attach_type);
	A("prog_attach", attach_flags); A("prog_attach", replace_bpf_fd); A("prog_attach", relative_fd);
	A("prog_attach", expected_revision);

	A("info", info.bpf_fd); A("info", info.info_len); A("info", info.info);

	A("raw_tracepoint", raw_tracepoint.name); A("raw_tracepoint", raw_tracepoint.prog_fd);

	A("btf_load", btf); A("btf_load", btf_log_buf); A("btf_load", btf_size);
	A("btf_load", btf_log_size); A("btf_load", btf_log_level); A("btf_load", btf_log_true_size);

	A("link_create", link_create.prog_fd); A("link_create", link_create.target_fd);
	A("link_create", link_create.target_ifindex); A("link_create", link_create.attach_type);
	A("link_create", link_create.flags); A("link_create", link_create.target_btf_id);
	A("link_create", link_create.iter_info); A("link_create", link_create.iter_info_len);
	A("link_create", link_create.perf_event.bpf_cookie);
	A("link_create", link_create.tracing.cookie);

	F("map_info", struct bpf_map_info, type); F("map_info", struct bpf_map_info, id);
	F("map_info", struct bpf_map_info, key_size); F("map_info", struct bpf_map_info, value_size);
	F("map_info", struct bpf_map_info, max_entries); F("map_info", struct bpf_map_info, map_flags);
	F("map_info", struct bpf_map_info, name); F("map_info", struct bpf_map_info, ifindex);
	F("map_info", struct bpf_map_info, btf_id);
	F("map_info", struct bpf_map_info, btf_key_type_id);
	F("map_info", struct bpf_map_info, btf_value_type_id);
	F("map_info", struct bpf_map_info, map_extra);

	F("prog_info", struct bpf_prog_info, type); F("prog_info", struct bpf_prog_info, id);
	F("prog_info", struct bpf_prog_info, tag);
	F("prog_info", struct bpf_prog_info, jited_prog_len);
	F("prog_info", struct bpf_prog_info, xlated_prog_len);
	F("prog_info", struct bpf_prog_info, xlated_prog_insns);
	F("prog_info", struct bpf_prog_info, load_time);
	F("prog_info", struct bpf_prog_info, created_by_uid);
	F("prog_info", struct bpf_prog_info, nr_map_ids);
	F("prog_info", struct bpf_prog_info, map_ids); F("prog_info", struct bpf_prog_info, name);
	F("prog_info", struct bpf_prog_info, ifindex); F("prog_info", struct bpf_prog_info, btf_id);
	F("prog_info", struct bpf_prog_info, run_time_ns);
	F("prog_info", struct bpf_prog_info, run_cnt);
	F("prog_info", struct bpf_prog_info, recursion_misses);
	F("prog_info", struct bpf_prog_info, verified_insns);
	F("prog_info", struct bpf_prog_info, attach_btf_obj_id);
	F("prog_info", struct bpf_prog_info, attach_btf_id);

	F("btf_info", struct bpf_btf_info, btf); F("btf_info", struct bpf_btf_info, btf_size);
	F("btf_info", struct bpf_btf_info, id); F("btf_info", struct bpf_btf_info, name);
	F("btf_info", struct bpf_btf_info, name_len);
	F("btf_info", struct bpf_btf_info, kernel_btf);

	A("enable_stats", enable_stats.type);

	F("link_info", struct bpf_link_info, type); F("link_info", struct bpf_link_info, id);
	F("link_info", struct bpf_link_info, prog_id);

	F("perf_event_attr", struct perf_event_attr, type); F("perf_event_attr", struct perf_event_attr, size);
	F("perf_event_attr", struct perf_event_attr, config);
	F("perf_event_attr", struct perf_event_attr, sample_period);
	F("perf_event_attr", struct perf_event_attr, sample_type);
	F("perf_event_attr", struct perf_event_attr, wakeup_events);
	F("perf_event_attr", struct perf_event_attr, config1);
	F("perf_event_attr", struct perf_event_attr, config2);

	__builtin_printf("sizeof bpf_map_info %lu 0\n", (unsigned long)sizeof(struct bpf_map_info));
	__builtin_printf("sizeof bpf_prog_info %lu 0\n", (unsigned long)sizeof(struct bpf_prog_info));
	__builtin_printf("sizeof bpf_btf_info %lu 0\n", (unsigned long)sizeof(struct bpf_btf_info));
	__builtin_printf("sizeof bpf_attr %lu 0\n", (unsigned long)sizeof(union bpf_attr));
	return 0;
}
