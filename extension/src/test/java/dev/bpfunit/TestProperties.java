package dev.bpfunit;

/** Puts a system property back as a test found it. */
public final class TestProperties {

    private TestProperties() {
    }

    /** Sets {@code key} to {@code value}, or clears it when {@code value} is null (it was not set). */
    public static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
