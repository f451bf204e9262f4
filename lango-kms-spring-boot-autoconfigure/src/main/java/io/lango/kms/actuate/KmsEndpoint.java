package io.lango.kms.actuate;

import java.util.Objects;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Actuator endpoint {@code kms}: {@code GET /actuator/kms} for the status, {@code GET /actuator/kms/keys} for the
 * key list and {@code POST /actuator/kms/test} for a round trip of random bytes. Responses contain no key material,
 * PINs, tokens or plaintext.
 */
@Endpoint(id = "kms")
public class KmsEndpoint {

    private static final String KEYS = "keys";

    private static final String TEST = "test";

    private final KmsDiagnostics diagnostics;

    public KmsEndpoint(KmsDiagnostics diagnostics) {
        this.diagnostics = Objects.requireNonNull(diagnostics, "diagnostics");
    }

    /**
     * Returns the provider, keys, region, fallback setting and connection state.
     */
    @ReadOperation
    public KmsStatus status() {
        return this.diagnostics.status();
    }

    /**
     * Returns the key list for {@code keys}; any other name has no resource, so the response is 404.
     */
    @ReadOperation
    public KmsKeys keys(@Selector String name) {
        return KEYS.equals(name) ? this.diagnostics.keys() : null;
    }

    /**
     * Runs the round-trip test for {@code test}; any other name has no resource, so the response is 404.
     */
    @WriteOperation
    public RoundTripResult test(@Selector String name) {
        return TEST.equals(name) ? this.diagnostics.roundTrip() : null;
    }
}
