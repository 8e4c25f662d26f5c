package dev.bpfunit.junit;

import dev.bpfunit.Features;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.SystemInfo;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Evaluates {@link EnabledOnKernel} and the feature conditions ({@link RequiresProgramType},
 * {@link RequiresMapType}, {@link RequiresHelper}, {@link RequiresAttachType}) against the running kernel.
 */
final class KernelCondition implements ExecutionCondition {

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<AnnotatedElement> element = context.getElement();
        if (element.isEmpty()) {
            return ConditionEvaluationResult.enabled("no element");
        }
        AnnotatedElement e = element.get();
        Optional<EnabledOnKernel> onKernel = AnnotationSupport.findAnnotation(e, EnabledOnKernel.class);
        if (onKernel.isPresent()) {
            Optional<String> disabled = kernelRange(onKernel.get(), SystemInfo.kernelRelease());
            if (disabled.isPresent()) {
                return ConditionEvaluationResult.disabled(disabled.get());
            }
        }
        List<String> missing = new ArrayList<>();
        Optional<RequiresProgramType> progTypes = AnnotationSupport.findAnnotation(e, RequiresProgramType.class);
        Optional<RequiresMapType> mapTypes = AnnotationSupport.findAnnotation(e, RequiresMapType.class);
        Optional<RequiresHelper> helpers = AnnotationSupport.findAnnotation(e, RequiresHelper.class);
        Optional<RequiresAttachType> attachTypes = AnnotationSupport.findAnnotation(e, RequiresAttachType.class);
        Optional<RequiresHook> hooks = AnnotationSupport.findAnnotation(e, RequiresHook.class);
        if (progTypes.isEmpty() && mapTypes.isEmpty() && helpers.isEmpty() && attachTypes.isEmpty() && hooks.isEmpty()) {
            return ConditionEvaluationResult.enabled(onKernel.isPresent() ? "kernel " + SystemInfo.kernelRelease()
                    + " is in the range of @EnabledOnKernel" : "no kernel condition");
        }
        helpers.ifPresent(h -> checkHelperNames(h, e));
        attachTypes.ifPresent(a -> checkAttachTypes(a, e));
        Optional<String> unavailable = Features.unavailableReason();
        if (unavailable.isPresent()) {
            String message = Settings.unavailableMessage(unavailable.get()) + "; cannot probe kernel features";
            if (Settings.required(context)) {
                throw new BpfTestException(message + "; failing because " + BpfTest.REQUIRE + "=true");
            }
            return ConditionEvaluationResult.disabled(message);
        }
        progTypes.ifPresent(p -> {
            for (ProgramType t : p.value()) {
                if (!Features.programType(t)) {
                    missing.add("BPF_PROG_TYPE_" + t);
                }
            }
        });
        mapTypes.ifPresent(m -> {
            for (MapType t : m.value()) {
                if (!Features.mapType(t)) {
                    missing.add("BPF_MAP_TYPE_" + t);
                }
            }
        });
        helpers.ifPresent(h -> {
            for (String name : h.value()) {
                if (!Features.helper(h.programType(), name)) {
                    missing.add(fullHelperName(name) + " in " + h.programType() + " programs");
                }
            }
            for (int id : h.ids()) {
                if (!Features.helper(h.programType(), id)) {
                    missing.add("helper " + id + " (" + dev.bpfunit.asm.Disassembler.helperName(id) + ") in "
                            + h.programType() + " programs");
                }
            }
        });
        attachTypes.ifPresent(a -> {
            for (AttachType t : a.value()) {
                if (!Features.attachType(t)) {
                    missing.add("BPF_" + t);
                }
            }
        });
        if (hooks.isPresent()) {
            List<String> reasons = new ArrayList<>();
            for (dev.bpfunit.Hook h : hooks.get().value()) {
                h.unavailableReason().ifPresent(reasons::add);
            }
            if (!reasons.isEmpty()) {
                return ConditionEvaluationResult.disabled(String.join("; ", reasons)
                        + (missing.isEmpty() ? "" : "; also lacks " + String.join(", ", missing) + " (probed)"));
            }
        }
        String kernel = "kernel " + SystemInfo.kernelRelease();
        if (!missing.isEmpty()) {
            return ConditionEvaluationResult.disabled(kernel + " lacks " + String.join(", ", missing) + " (probed)");
        }
        return ConditionEvaluationResult.enabled(kernel + " has every required feature (probed)");
    }

    /** Why the kernel is outside the range, or empty when it is inside. */
    static Optional<String> kernelRange(EnabledOnKernel a, String release) {
        if (a.min().isBlank() && a.max().isBlank()) {
            throw new ExtensionConfigurationException("@EnabledOnKernel gives neither min nor max: give at least "
                    + "one, e.g. @EnabledOnKernel(min = \"5.8\")");
        }
        int[] kernel = parse(release, "the running kernel's release");
        String running = kernel[0] + "." + kernel[1] + "." + kernel[2];
        String why = a.reason().isBlank() ? "" : " (" + a.reason() + ")";
        if (!a.min().isBlank()) {
            int[] min = parse(a.min(), "@EnabledOnKernel(min)");
            if (compare(kernel, min) < 0) {
                return Optional.of("kernel " + running + " < " + a.min() + " required" + why);
            }
        }
        if (!a.max().isBlank()) {
            int[] max = parse(a.max(), "@EnabledOnKernel(max)");
            if (!a.min().isBlank() && compare(parse(a.min(), "min"), max) > 0) {
                throw new ExtensionConfigurationException("@EnabledOnKernel(min = \"" + a.min() + "\", max = \""
                        + a.max() + "\"): min is above max, so no kernel matches: swap them");
            }
            if (compare(kernel, max) > 0) {
                return Optional.of("kernel " + running + " > " + a.max() + " allowed" + why);
            }
        }
        return Optional.empty();
    }

    private static int[] parse(String version, String what) {
        Matcher m = VERSION.matcher(version.trim());
        if (!m.find()) {
            throw new ExtensionConfigurationException(what + " is '" + version + "', not a kernel version: write "
                    + "major.minor or major.minor.patch, e.g. \"5.8\" or \"6.1.12\"");
        }
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static void checkHelperNames(RequiresHelper h, AnnotatedElement e) {
        if (h.value().length == 0 && h.ids().length == 0) {
            throw new ExtensionConfigurationException("@RequiresHelper on " + e + " names no helper: give names, "
                    + "e.g. @RequiresHelper(\"bpf_loop\"), or ids");
        }
        for (String name : h.value()) {
            OptionalInt id = Features.helperId(name);
            if (id.isEmpty()) {
                throw new ExtensionConfigurationException("@RequiresHelper(\"" + name + "\") on " + e + ": no BPF "
                        + "helper has this name: use a name from bpf_helper_defs.h such as bpf_map_lookup_elem "
                        + "(kfuncs cannot be required this way)");
            }
        }
        for (int id : h.ids()) {
            if (id <= 0 || id > dev.bpfunit.asm.Disassembler.maxHelperId()) {
                throw new ExtensionConfigurationException("@RequiresHelper(ids = " + id + ") on " + e + ": not a "
                        + "helper id: ids run from 1 to " + dev.bpfunit.asm.Disassembler.maxHelperId());
            }
        }
    }

    private static void checkAttachTypes(RequiresAttachType a, AnnotatedElement e) {
        for (AttachType t : a.value()) {
            if (!Features.progAttachable(t)) {
                throw new ExtensionConfigurationException("@RequiresAttachType(" + t + ") on " + e + ": this attach "
                        + "type is not attached with BPF_PROG_ATTACH and cannot be probed alone: require its program "
                        + "type with @RequiresProgramType instead");
            }
        }
    }

    private static String fullHelperName(String name) {
        return name.startsWith("bpf_") ? name : "bpf_" + name;
    }
}
