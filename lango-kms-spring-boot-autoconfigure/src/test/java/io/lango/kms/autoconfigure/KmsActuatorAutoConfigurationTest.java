package io.lango.kms.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.lango.kms.actuate.KmsEndpoint;
import io.lango.kms.actuate.KmsHealthIndicator;
import io.lango.kms.actuate.KmsKeys;
import io.lango.kms.actuate.KmsStatus;
import io.lango.kms.actuate.RoundTripResult;

import static org.assertj.core.api.Assertions.assertThat;

class KmsActuatorAutoConfigurationTest {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KmsAutoConfiguration.class, KmsHealthAutoConfiguration.class,
                KmsEndpointAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=health,kms");

    @Test
    void healthIndicatorIsUpOnLocalProvider() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(KmsHealthIndicator.class);
            Health health = context.getBean(KmsHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("provider", "local")
                .containsEntry("connection", "connected")
                .containsEntry("fallback", false)
                .containsKey("lastProbe");
        });
    }

    @Test
    void endpointReportsStatusKeysAndRoundTrip() {
        this.contextRunner.withPropertyValues("security.kms.keys[0].name=orders").run((context) -> {
            KmsEndpoint endpoint = context.getBean(KmsEndpoint.class);

            KmsStatus status = endpoint.status();
            assertThat(status.provider()).isEqualTo("local");
            assertThat(status.connection()).isEqualTo("connected");

            KmsKeys keys = endpoint.keys("keys");
            assertThat(keys.keys()).extracting("name").containsExactly("default", "default", "orders");
            assertThat(endpoint.keys("other")).isNull();

            RoundTripResult result = endpoint.test("test");
            assertThat(result.result()).isEqualTo("PASS");
            assertThat(result.plaintextBytes()).isEqualTo(32);
            // Envelope header (8 bytes, empty key id, a 60-byte data key wrapped by local AES-GCM), IV, payload, tag.
            assertThat(result.ciphertextBytes()).isEqualTo(8 + 60 + 12 + 32 + 16);
            assertThat(endpoint.test("other")).isNull();
        });
    }

    @Test
    void disabledHealthIndicatorIsNotCreated() {
        this.contextRunner.withPropertyValues("management.health.kms.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(KmsHealthIndicator.class));
    }

    @Test
    void endpointNotExposedIsNotCreated() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=health")
            .run((context) -> assertThat(context).doesNotHaveBean(KmsEndpoint.class));
    }

    @Test
    void withoutActuatorCoreBeansStillWork() {
        this.contextRunner
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
                    "org.springframework.boot.health"))
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context).doesNotHaveBean(KmsEndpoint.class);
                assertThat(context).doesNotHaveBean(KmsHealthIndicator.class);
                assertThat(context).hasSingleBean(io.lango.kms.CryptoProvider.class);
            });
    }
}
