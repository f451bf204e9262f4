package io.lango.kms.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.lango.kms.actuate.KmsDiagnostics;
import io.lango.kms.actuate.KmsHealthIndicator;

/**
 * Auto-configuration of the {@code kms} health indicator, active only when Spring Boot's health module is on the
 * class path.
 */
@AutoConfiguration(after = KmsAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(KmsDiagnostics.class)
public final class KmsHealthAutoConfiguration {

    @Bean
    @ConditionalOnEnabledHealthIndicator("kms")
    @ConditionalOnMissingBean(name = "kmsHealthIndicator")
    KmsHealthIndicator kmsHealthIndicator(KmsDiagnostics diagnostics) {
        return new KmsHealthIndicator(diagnostics);
    }
}
