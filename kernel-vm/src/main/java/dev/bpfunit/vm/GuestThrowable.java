package dev.bpfunit.vm;

/**
 * A throwable from a guest test that the host could not read back as itself (it was not serializable): its
 * message is the guest's whole stack trace text, class and causes included.
 */
public final class GuestThrowable extends VmException {
    private static final long serialVersionUID = 1L;

    GuestThrowable(String guestStackTrace) {
        super("in the guest: " + guestStackTrace.stripTrailing());
        setStackTrace(new StackTraceElement[0]);
    }
}
