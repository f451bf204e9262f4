package io.lango.kms.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.lango.kms.actuate.KmsDiagnostics;
import io.lango.kms.actuate.KmsEndpoint;
import io.lango.kms.actuate.KmsHealthIndicator;

/**
 * Auto-configuration of the {@code kms} health indicator and Actuator endpoint, active only when Actuator is on
 * the class path.
 */
@AutoConfiguration(after = KmsAutoConfiguration.class)
@ConditionalOnBean(KmsDiagnostics.class)
public final class KmsActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("kms")
    static class KmsHealthIndicatorConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "kmsHealthIndicator")
        KmsHealthIndicator kmsHealthIndicator(KmsDiagnostics diagnostics) {
            return new KmsHealthIndicator(diagnostics);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    @ConditionalOnAvailableEndpoint(KmsEndpoint.class)
    static class KmsEndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        KmsEndpoint kmsEndpoint(KmsDiagnostics diagnostics) {
            return new KmsEndpoint(diagnostics);
        }
    }
}
