package dev.bpfunit.junit;

import dev.bpfunit.Features;
import java.util.Optional;
import java.util.function.Function;
import org.junit.platform.commons.support.ReflectionSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Reads bpfunit's configuration parameters and decides what happens when this process cannot use BPF. */
final class Settings {

    /** The engine of the bpfunit-kernel-vm module, which runs {@code @BpfTest} classes elsewhere on a fallback. */
    private static final String KERNEL_MATRIX_ENGINE = "dev.bpfunit.vm.KernelMatrixEngine";

    private Settings() {
    }

    /** A configuration parameter, falling back to the system property of the same name. */
    static Optional<String> get(ExtensionContext context, String key) {
        return get(context::getConfigurationParameter, key);
    }

    /** {@link #get(ExtensionContext, String)} with the configuration parameters given as a function. */
    static Optional<String> get(Function<String, Optional<String>> parameters, String key) {
        Optional<String> v = parameters.apply(key);
        if (v.isPresent()) {
            return v.map(String::trim);
        }
        return Optional.ofNullable(System.getProperty(key)).map(String::trim);
    }

    static boolean required(ExtensionContext context) {
        Optional<String> v = get(context, BpfTest.REQUIRE);
        if (v.isEmpty() || v.get().isEmpty()) {
            return false;
        }
        if (v.get().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.get().equalsIgnoreCase("false")) {
            return false;
        }
        throw new ExtensionConfigurationException(BpfTest.REQUIRE + " is '" + v.get() + "': set it to true or false");
    }

    /** Whether {@link BpfTest#COVERAGE} is on. */
    static boolean coverage(ExtensionContext context) {
        Optional<String> v = get(context, BpfTest.COVERAGE);
        if (v.isEmpty() || v.get().isEmpty() || v.get().equalsIgnoreCase("false")) {
            return false;
        }
        if (v.get().equalsIgnoreCase("true")) {
            return true;
        }
        throw new ExtensionConfigurationException(BpfTest.COVERAGE + " is '" + v.get() + "': set it to true or false");
    }

    /**
     * Why {@code @BpfTest} tests are skipped here: this process cannot use BPF and {@link BpfTest#REQUIRE} is not
     * set (or the kernel-matrix engine runs them elsewhere, {@link BpfTest#FALLBACK}); empty when BPF is usable.
     *
     * @throws BpfTestException when BPF is unusable and {@link BpfTest#REQUIRE} is true
     */
    static Optional<String> skipReason(ExtensionContext context) {
        Optional<String> reason = Features.unavailableReason();
        if (reason.isEmpty()) {
            return Optional.empty();
        }
        String message = unavailableMessage(reason.get());
        Optional<String> fallback = get(context, BpfTest.FALLBACK).filter(v -> !v.isEmpty());
        if (fallback.isPresent() && ReflectionSupport.tryToLoadClass(KERNEL_MATRIX_ENGINE).toOptional().isPresent()) {
            return Optional.of(message + "; skipped here, run on " + fallback.get() + " by the kernel-matrix engine"
                    + " instead (" + BpfTest.FALLBACK + ")");
        }
        if (required(context)) {
            throw new BpfTestException(message + "; failing because " + BpfTest.REQUIRE + "=true");
        }
        return Optional.of(message + "; skipped (set " + BpfTest.REQUIRE + "=true to make this a failure)");
    }

    /** Aborts (or, with {@link BpfTest#REQUIRE}, fails) the test when this process cannot use BPF. */
    static void checkBpfAvailable(ExtensionContext context) {
        skipReason(context).ifPresent(Assumptions::abort);
    }

    static String unavailableMessage(String reason) {
        return "bpfunit cannot use BPF here: " + reason + ". Run these tests as root (sudo mvn test), with "
                + "CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (e.g. a container started with those capabilities), or in "
                + "a VM whose kernel has BPF";
    }
}
