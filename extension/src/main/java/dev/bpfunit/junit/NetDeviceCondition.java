package dev.bpfunit.junit;

import dev.bpfunit.NetkitPair;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Evaluates {@link RequiresNetkit} by making a netkit pair once. */
final class NetDeviceCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresNetkit.class)).isEmpty()) {
            return ConditionEvaluationResult.enabled("no @RequiresNetkit");
        }
        Optional<String> reason = NetkitPair.unavailableReason();
        return reason.map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("the kernel creates netkit devices"));
    }
}
