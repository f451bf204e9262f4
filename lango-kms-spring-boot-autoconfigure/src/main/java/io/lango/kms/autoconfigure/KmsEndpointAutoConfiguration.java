package io.lango.kms.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.lango.kms.actuate.KmsDiagnostics;
import io.lango.kms.actuate.KmsEndpoint;

/**
 * Auto-configuration of the {@code kms} Actuator endpoint, active only when Actuator is on the class path and the
 * endpoint is exposed.
 */
@AutoConfiguration(after = KmsAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(KmsDiagnostics.class)
public final class KmsEndpointAutoConfiguration {

    @Bean
    @ConditionalOnAvailableEndpoint(KmsEndpoint.class)
    @ConditionalOnMissingBean
    KmsEndpoint kmsEndpoint(KmsDiagnostics diagnostics) {
        return new KmsEndpoint(diagnostics);
    }
}
