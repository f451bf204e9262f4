package io.lango.kms.gcp;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

import com.google.auth.Credentials;

/**
 * Credentials that return the bearer token {@value #TOKEN}, or throw {@code failure} when it is not null. They are
 * not {@code GoogleCredentials}, so gRPC sends them over a plaintext channel.
 */
final class TestCredentials extends Credentials {

    static final String TOKEN = "test-token";

    private final IOException failure;

    TestCredentials(IOException failure) {
        this.failure = failure;
    }

    @Override
    public String getAuthenticationType() {
        return "OAuth2";
    }

    @Override
    public Map<String, List<String>> getRequestMetadata(URI uri) throws IOException {
        if (this.failure != null) {
            throw this.failure;
        }
        return Map.of("authorization", List.of("Bearer " + TOKEN));
    }

    @Override
    public boolean hasRequestMetadata() {
        return true;
    }

    @Override
    public boolean hasRequestMetadataOnly() {
        return true;
    }

    @Override
    public void refresh() {
    }
}
