package dev.bpfunit;

import dev.bpfunit.error.BpfException;

/**
 * A failure to load an object, with the object's name as context: the message starts {@code object NAME: }
 * exactly once, however deep the cause was raised, and {@link #objectName()} gives the name to code.
 */
public class ObjectLoadException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String objectName;

    ObjectLoadException(String objectName, Throwable cause) {
        this(objectName, cause.getMessage(), cause);
    }

    ObjectLoadException(String objectName, String message, Throwable cause) {
        super("object " + objectName + ": " + message, cause);
        this.objectName = objectName;
    }

    /** The object that failed to load, as messages name it ({@code xdp_fw.bpf.o}). */
    public String objectName() {
        return objectName;
    }

    /**
     * The exception to throw for {@code failure} while loading {@code objectName}: an error of the JVM as it is,
     * a failure that already names the object (this type, or a {@link VerifierException}) as it is, anything
     * else wrapped once.
     */
    static RuntimeException inObject(String objectName, Throwable failure) {
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure instanceof ObjectLoadException || failure instanceof VerifierException) {
            return (RuntimeException) failure;
        }
        return new ObjectLoadException(objectName, failure);
    }
}
