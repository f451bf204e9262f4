package io.lango.kms.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.lango.kms.KmsConfigurationException;

/**
 * Turns a {@link KmsConfigurationException} at start-up into a report that names the property and the fix.
 */
class KmsConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<KmsConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KmsConfigurationException cause) {
        String description = "Invalid KMS configuration in property '%s':%n%n    %s".formatted(cause.getProperty(),
                cause.getMessage());
        return new FailureAnalysis(description, cause.getAction(), cause);
    }
}
