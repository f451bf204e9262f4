package io.lango.kms.gcp;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

import io.lango.kms.KmsConfigurationException;

/**
 * Parsed {@code security.kms.endpoint}: a gRPC target {@code host:port} and whether the channel uses TLS.
 *
 * <p>{@code http://host:port} selects a plaintext channel, meant for a local stand-in or emulator;
 * {@code https://host[:port]} and a bare {@code host[:port]} use TLS, with port 443 when none is given.
 *
 * @param target the gRPC target, {@code host:port}
 * @param plaintext whether the channel sends requests without TLS
 */
record GcpEndpoint(String target, boolean plaintext) {

    static final String PROPERTY = "security.kms.endpoint";

    private static final int TLS_PORT = 443;

    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    /**
     * Parses the endpoint property, or throws a {@link KmsConfigurationException} naming it.
     */
    static GcpEndpoint parse(String endpoint) {
        String value = endpoint.trim();
        URI uri = toUri(value.contains("://") ? value : "https://" + value, endpoint);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(endpoint, "the scheme must be http (plaintext) or https (TLS), but was " + scheme);
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
            throw invalid(endpoint, "it must be only a host and port");
        }
        boolean plaintext = scheme.equals("http");
        if (plaintext && uri.getPort() == -1) {
            throw invalid(endpoint, "a plaintext endpoint needs a port, for example http://127.0.0.1:9085");
        }
        int port = (uri.getPort() != -1) ? uri.getPort() : TLS_PORT;
        return new GcpEndpoint(uri.getHost() + ":" + port, plaintext);
    }

    /**
     * Returns true when the target host is a loopback address, written as an IP address or {@code localhost}.
     */
    boolean isLoopback() {
        String host = this.target.substring(0, this.target.lastIndexOf(':'));
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.startsWith("[") && !IPV4_LITERAL.matcher(host).matches()) {
            return false;
        }
        try {
            // InetAddress parses an IP literal without a DNS lookup.
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (UnknownHostException ex) {
            return false;
        }
    }

    private static URI toUri(String value, String endpoint) {
        try {
            return new URI(value);
        }
        catch (URISyntaxException ex) {
            throw invalid(endpoint, ex.getMessage());
        }
    }

    private static KmsConfigurationException invalid(String endpoint, String reason) {
        return new KmsConfigurationException(PROPERTY,
                "%s '%s' is not a valid Cloud KMS endpoint: %s.".formatted(PROPERTY, endpoint, reason),
                "Set %s to host:port or https://host:port for TLS, or http://127.0.0.1:<port> for a local stand-in."
                    .formatted(PROPERTY));
    }
}
