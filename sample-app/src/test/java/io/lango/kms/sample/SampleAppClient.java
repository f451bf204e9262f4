package io.lango.kms.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain JDK HTTP client for a running sample app, so the same calls work against an app started by
 * {@code @SpringBootTest}, by a test's own {@code SpringApplication}, or as a separate {@code java -jar} process.
 */
public final class SampleAppClient {

    /** Parses strictly: trailing content after the JSON document is an error. */
    public static final JsonMapper JSON = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    /** Long enough for a backend stand-in that answers after the SDK's retries; a hung server fails the test. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String baseUrl;

    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Creates a client for the app at {@code baseUrl}, for example {@code http://127.0.0.1:8080}.
     */
    public SampleAppClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public String baseUrl() {
        return this.baseUrl;
    }

    /**
     * Sends a GET request.
     */
    public Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /**
     * Sends a POST request with a JSON object built from {@code fields}; a null value leaves the field out.
     */
    public Reply postJson(String path, Map<String, String> fields) {
        Map<String, String> present = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (value != null) {
                present.put(name, value);
            }
        });
        return postRaw(path, "application/json", JSON.writeValueAsString(present));
    }

    /**
     * Sends a POST request with {@code body} as is; a null body sends no body.
     */
    public Reply postRaw(String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.POST((body != null) ? HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)
                : HttpRequest.BodyPublishers.noBody());
        return send(request);
    }

    /**
     * Encrypts {@code plaintext} through {@code POST /api/encrypt} and returns the ciphertext bytes.
     */
    public byte[] encrypt(String keyId, byte[] plaintext) {
        Reply reply = postJson("/api/encrypt", fields("keyId", keyId, "plaintext", base64(plaintext)));
        return decodeField(reply, "ciphertext");
    }

    /**
     * Decrypts {@code ciphertext} through {@code POST /api/decrypt} and returns the plaintext bytes.
     */
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        Reply reply = postJson("/api/decrypt", fields("keyId", keyId, "ciphertext", base64(ciphertext)));
        return decodeField(reply, "plaintext");
    }

    /**
     * Signs {@code payload} through {@code POST /api/sign} and returns the DER signature.
     */
    public byte[] sign(String keyId, byte[] payload) {
        Reply reply = postJson("/api/sign", fields("keyId", keyId, "payload", base64(payload)));
        return decodeField(reply, "signature");
    }

    /**
     * Verifies through {@code POST /api/verify} and returns its {@code valid} field.
     */
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        Reply reply = postJson("/api/verify",
                fields("keyId", keyId, "payload", base64(payload), "signature", base64(signature)));
        assertThat(reply.status()).as("POST /api/verify status, body %s", reply.body()).isEqualTo(200);
        return reply.json().get("valid").booleanValue();
    }

    /**
     * Returns the DER X.509 SubjectPublicKeyInfo from {@code GET /api/public-key}.
     */
    public byte[] publicKey(String keyId) {
        String query = (keyId != null) ? "?keyId=" + keyId : "";
        return decodeField(get("/api/public-key" + query), "publicKey");
    }

    public static String base64(byte[] value) {
        return (value != null) ? Base64.getEncoder().encodeToString(value) : null;
    }

    /**
     * Returns a map of alternating names and values, keeping their order and allowing null values.
     */
    public static Map<String, String> fields(String... namesAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int index = 0; index < namesAndValues.length; index += 2) {
            fields.put(namesAndValues[index], namesAndValues[index + 1]);
        }
        return fields;
    }

    private static byte[] decodeField(Reply reply, String field) {
        assertThat(reply.status()).as("status of %s, body %s", reply.description(), reply.body()).isEqualTo(200);
        JsonNode value = reply.json().get(field);
        assertThat(value).as("field '%s' of %s", field, reply.body()).isNotNull();
        return Base64.getDecoder().decode(value.stringValue());
    }

    private URI uri(String path) {
        return URI.create(this.baseUrl + path);
    }

    private Reply send(HttpRequest.Builder builder) {
        HttpRequest request = builder.timeout(REQUEST_TIMEOUT).build();
        try {
            HttpResponse<String> response = this.httpClient.send(request,
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(request.method() + " " + request.uri().getRawPath(), response.statusCode(),
                    response.headers().firstValue("Content-Type"), response.headers().firstValue("Retry-After"),
                    response.body());
        }
        catch (IOException ex) {
            throw new AssertionError("%s %s failed: %s".formatted(request.method(), request.uri(), ex), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + request.uri(), ex);
        }
    }

    /**
     * Response of one request.
     *
     * @param description method and path, for assertion messages
     * @param status HTTP status code
     * @param contentType value of the Content-Type header, if any
     * @param retryAfter value of the Retry-After header, if any
     * @param body response body as text
     */
    public record Reply(String description, int status, Optional<String> contentType, Optional<String> retryAfter,
            String body) {

        /**
         * Parses the body as one JSON document, failing the test when it is not.
         */
        public JsonNode json() {
            return JSON.readTree(this.body);
        }
    }
}
