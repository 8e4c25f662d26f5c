package dev.bpfunit.btf;

/**
 * What one CO-RE relocation came to: the value the compiler assumed, the value for the target kernel, or why
 * the relocation could not be satisfied (then its instruction was poisoned).
 *
 * @param relo        the relocation record
 * @param access      what it is about, in C terms: {@code task_struct.pid}, {@code struct task_struct},
 *                    {@code enum pid_type::PIDTYPE_TGID}
 * @param localValue  the value for the object's own BTF (what the instruction held)
 * @param targetValue the value for the target BTF (what the instruction holds now); 0 when poisoned
 * @param poisoned    whether the instruction was replaced by a call to the invalid helper
 *                    {@link CoreRelocator#POISON_HELPER}: the verifier rejects it if it is reachable
 * @param reason      why it was poisoned, in words ({@code no field 'pid' on this kernel's task_struct}); empty
 *                    when not poisoned
 */
public record CoreFixup(CoreRelo relo, String access, long localValue, long targetValue, boolean poisoned,
                        String reason) {

    /**
     * One line for a person: {@code CO-RE relocation for task_struct.pid: no field 'pid' on this kernel's
     * task_struct} when poisoned, {@code CO-RE FIELD_BYTE_OFFSET task_struct.pid: 1234 -> 1240} otherwise.
     */
    public String describe() {
        if (poisoned) {
            return "CO-RE relocation for " + access + ": " + reason;
        }
        return "CO-RE " + relo.kind() + " " + access + ": " + localValue + " -> " + targetValue;
    }
}
