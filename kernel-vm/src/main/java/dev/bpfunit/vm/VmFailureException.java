package dev.bpfunit.vm;

/**
 * Thrown by {@link VmResult#requireExited()} when the guest did not run the command to its end: the
 * kernel panicked, the guest crashed or failed to boot, or the run timed out. The message names the
 * outcome and carries the tail of the console, which is also available as {@link #result()}.
 */
public class VmFailureException extends VmException {
    private static final long serialVersionUID = 1L;

    private final transient VmResult result;

    public VmFailureException(VmResult result) {
        super(result.describe());
        this.result = result;
    }

    /** The whole result of the run, with its outcome and console tail. */
    public VmResult result() {
        return result;
    }
}
