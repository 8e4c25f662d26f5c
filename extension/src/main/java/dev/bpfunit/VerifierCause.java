package dev.bpfunit;

import dev.bpfunit.rawelf.ElfFile;

/**
 * Why the kernel refused a program, as a type a test can name: each cause says in plain words what the
 * verifier (or the kernel before it) objected to, and what usually fixes it. {@link VerifierHints} maps the
 * kernel's wording (6.1 to 6.18) onto these causes.
 */
public enum VerifierCause {
    /** A pointer that may be NULL (a map lookup's result, a socket lookup's) is used without a check. */
    NULL_CHECK("a pointer that may be NULL (the result of bpf_map_lookup_elem() or another *_or_null helper) is "
            + "dereferenced or passed on before the program checks it",
            "check the pointer returned by bpf_map_lookup_elem() for NULL (or another helper's *_or_null "
            + "result) before using it: if (!val) return ...; every path that uses it must be behind the check"),
    /** A packet access the program did not first bound against {@code data_end}. */
    PACKET_BOUNDS("the program reads or writes packet bytes it has not proven to be inside the packet",
            "compare the pointer plus the size you access against ctx->data_end right before the access: "
            + "if ((void *)(hdr + 1) > data_end) return ...;"),
    /** A register read before anything wrote it. */
    UNINIT_REGISTER("a register is read before anything wrote to it (an uninitialised variable, or a return "
            + "value not set on some path)",
            "initialise the variable on every path (for R0 at exit: every path must set a return value)"),
    /** Stack memory read before it was written (refused only where the loader lacks CAP_PERFMON). */
    UNINIT_STACK("stack memory is read (or passed to a helper) before it was written",
            "initialise the buffer or struct first: = {} or __builtin_memset(&v, 0, sizeof(v))"),
    /** A {@code struct bpf_dynptr} used before a helper initialised it. */
    UNINIT_DYNPTR("a struct bpf_dynptr is passed to a helper or kfunc that reads it, but nothing initialised it",
            "initialise the dynptr first (bpf_dynptr_from_mem(), bpf_ringbuf_reserve_dynptr(), "
            + "bpf_dynptr_from_skb()/bpf_dynptr_from_xdp()), and do not use it after it was released"),
    /** A loop the verifier cannot prove ends within its budget. */
    UNBOUNDED_LOOP("the verifier walked a loop iteration after iteration and could not see it end (its bound "
            + "comes from data, or is too large)",
            "give the loop a small constant bound (for (int i = 0; i < 64 && i < n; i++)), or run the body "
            + "with bpf_loop() (5.17+) or an open-coded iterator (bpf_for(i, 0, n), 6.4+)"),
    /** Too many paths or states: the verifier's million-instruction budget ran out. */
    COMPLEXITY_LIMIT("the verifier explored more than its budget of 1,000,000 instructions: the program has "
            + "too many paths whose states it cannot merge",
            "reduce the branches the verifier must follow separately: move repeated work into a global "
            + "(non-static) function, which is verified once, use bpf_loop() for repetition, or clamp values "
            + "so that states become equal (x &= mask)"),
    /** The stack of the program and the functions it calls exceeds 512 bytes. */
    STACK_LIMIT("the stack used by the program and the functions it calls adds up to more than 512 bytes",
            "move large buffers off the stack (a per-CPU array map used as scratch space), or make callees "
            + "global functions or __always_inline so the chain's frames do not add up"),
    /** A reference (ring buffer space, socket, kernel object) not released on some path. */
    UNRELEASED_REFERENCE("the program acquired a reference (ring buffer space, a socket, a kernel object) and "
            + "can reach exit without releasing it",
            "release it on every path: bpf_ringbuf_submit()/bpf_ringbuf_discard() after bpf_ringbuf_reserve(), "
            + "bpf_sk_release() after bpf_sk_lookup_*(), the matching *_release() kfunc after an *_acquire()"),
    /** Exit (or a jump out) while a {@code bpf_spin_lock} is held. */
    SPIN_LOCK_HELD("the program can leave the function while it still holds a bpf_spin_lock",
            "call bpf_spin_unlock() on every path before returning"),
    /** A helper or function call while a {@code bpf_spin_lock} is held. */
    SPIN_LOCK_CALL("the program calls a helper or function while it holds a bpf_spin_lock, which the verifier "
            + "forbids",
            "compute what you need before bpf_spin_lock() and only read and write the locked value between "
            + "lock and unlock"),
    /** A GPL-only helper called from a program whose license is not GPL-compatible. */
    GPL_ONLY("the program calls a helper the kernel offers only to GPL-compatible programs",
            "declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\"; (or \"Dual MIT/GPL\")"),
    /** A store into a read-only map ({@code .rodata}, a frozen map, BPF_F_RDONLY_PROG). */
    READ_ONLY_WRITE("the program writes into a map that is read-only for programs (.rodata: const globals)",
            "drop const from the global so it lives in .data/.bss, or keep it constant and write elsewhere"),
    /** A context field read or written at an offset or size the program type does not allow. */
    CONTEXT_ACCESS("the program accesses its context (ctx) at an offset or with a size this program type does "
            + "not allow, or through a pointer moved away from the context's start",
            "read context fields by name at their own size (ctx->field), straight from the ctx pointer; copy "
            + "the value into a local before doing arithmetic with it"),
    /** Arithmetic on a pointer the verifier does not allow arithmetic on. */
    POINTER_ARITHMETIC("the program does arithmetic on a pointer that only allows comparison or use as is "
            + "(packet end, a map or socket pointer, a possibly-NULL pointer)",
            "compare such pointers instead of moving them (if (data + len > data_end)), and move the "
            + "pointer you may move (data) instead"),
    /** A kernel address would reach user space (a map, the return value). */
    POINTER_LEAK("a kernel pointer would reach user space (stored in a map or the packet, or returned as the "
            + "program's result)",
            "return or store a number, not a pointer: read the value it points to, or store an id"),
    /** A map value accessed outside its size. */
    MAP_VALUE_BOUNDS("the program accesses a map value outside its size, or at an offset the verifier cannot "
            + "bound",
            "bound the index against the array's length before the access (if (i >= ARRAY_SIZE(v->a)) return "
            + "...; or i &= LEN - 1 with LEN a power of two that fits)"),
    /** A value the verifier sees as a plain number used as a pointer. */
    INVALID_POINTER("the program dereferences a value the verifier knows only as a number (a scalar), not as "
            + "a pointer",
            "read kernel memory with bpf_probe_read_kernel()/BPF_CORE_READ(), or keep the pointer's type "
            + "from where it came"),
    /** A helper or kfunc argument of the wrong kind. */
    HELPER_ARGUMENT("a helper or kfunc gets an argument of the wrong kind (a context pointer where a stack "
            + "buffer is expected, a scalar where a pointer is)",
            "pass what the helper's signature asks for; a key or value must point to stack or map memory"),
    /** A helper or kfunc this program type may not call. */
    HELPER_NOT_ALLOWED("the program type may not call this helper or kfunc (or the kernel is too old for it)",
            "call only helpers this program type offers (bpftool feature probe lists them per type), or "
            + "change the program type"),
    /** A call to a kfunc the kernel does not have. */
    UNKNOWN_KFUNC("the program calls a kernel function (kfunc) that this kernel does not have",
            "declare it __weak and guard the call with if (bpf_ksym_exists(fn)), or require a kernel that "
            + "has it"),
    /** R0 at exit outside the range the program type allows. */
    RETURN_RANGE("the value the program returns is outside the range its type allows",
            "return only the values the program type defines"),
    /** A CO-RE relocation the loader could not satisfy on this kernel. */
    CORE_RELOCATION("a CO-RE relocation (a field, type or enum value the program reads) could not be resolved "
            + "against this kernel's BTF, so the loader poisoned its instruction",
            "guard the access with bpf_core_field_exists()/bpf_core_type_exists(), or use a name this kernel "
            + "has (check with bpftool btf dump file /sys/kernel/btf/vmlinux)"),
    /** More instructions than the kernel accepts: refused before the verifier ran. */
    PROGRAM_TOO_LARGE("the program has more instructions than the kernel accepts (1,000,000 for a loader with "
            + "CAP_BPF, 4,096 without), so the kernel refused it before verifying it",
            "split the program: tail calls (bpf_tail_call()) or bpf_loop() instead of unrolled code; "
            + "#pragma unroll on large loops multiplies the instructions"),
    /** An instruction whose opcode this kernel does not know: refused before the verifier walked the program. */
    UNKNOWN_OPCODE("the program has an instruction whose opcode this kernel does not know (an instruction of a "
            + "newer instruction set than the kernel's, callx from a build without optimisation, or bytes that are "
            + "not BPF code), so the kernel refused it before verifying it",
            "build the object with optimisation, for an instruction set this kernel has: "
            + ElfFile.BUILD_COMMAND + ", with no newer -mcpu= than the kernel supports (-mcpu=v4 instructions "
            + "need 6.6+: use -mcpu=v3 before)"),
    /** A rejection bpfunit does not recognise: read the error lines. */
    OTHER("the verifier rejected the program for a reason bpfunit does not recognise",
            "read the error lines and the instructions before them");

    private final String explanation;
    private final String fix;

    VerifierCause(String explanation, String fix) {
        this.explanation = explanation;
        this.fix = fix;
    }

    /** What went wrong, in plain words. */
    public String explanation() {
        return explanation;
    }

    /** What usually fixes it, in general (the diagnosis may give a more specific fix). */
    public String fix() {
        return fix;
    }
}
