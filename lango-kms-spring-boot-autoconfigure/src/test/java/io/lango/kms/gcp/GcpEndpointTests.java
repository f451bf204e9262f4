package io.lango.kms.gcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.lango.kms.KmsConfigurationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class GcpEndpointTests {

    @Test
    void httpSelectsPlaintext() {
        GcpEndpoint endpoint = GcpEndpoint.parse("http://127.0.0.1:9085");

        assertThat(endpoint.target()).isEqualTo("127.0.0.1:9085");
        assertThat(endpoint.plaintext()).isTrue();
        assertThat(endpoint.isLoopback()).isTrue();
    }

    @Test
    void bareHostUsesTlsOnPort443() {
        GcpEndpoint endpoint = GcpEndpoint.parse("cloudkms.googleapis.com");

        assertThat(endpoint.target()).isEqualTo("cloudkms.googleapis.com:443");
        assertThat(endpoint.plaintext()).isFalse();
        assertThat(endpoint.isLoopback()).isFalse();
    }

    @Test
    void httpsKeepsItsPort() {
        GcpEndpoint endpoint = GcpEndpoint.parse("https://kms-private.p.googleapis.com:8443/");

        assertThat(endpoint.target()).isEqualTo("kms-private.p.googleapis.com:8443");
        assertThat(endpoint.plaintext()).isFalse();
    }

    @Test
    void localhostAndIpv6LoopbackAreLoopback() {
        assertThat(GcpEndpoint.parse("http://localhost:9085").isLoopback()).isTrue();
        assertThat(GcpEndpoint.parse("http://[::1]:9085").isLoopback()).isTrue();
        assertThat(GcpEndpoint.parse("http://10.0.0.8:9085").isLoopback()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://host:21", "http://127.0.0.1", "https://host/v1/projects", "https://user@host",
            "https://host?x=1", "http://" })
    void rejectInvalidEndpoints(String value) {
        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> GcpEndpoint.parse(value))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.endpoint"))
            .withMessageContaining(value);
    }
}
