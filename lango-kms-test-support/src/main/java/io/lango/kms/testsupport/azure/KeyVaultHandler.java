package io.lango.kms.testsupport.azure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves the Key Vault keys REST API (api-version 7.x) for {@link KeyVaultStandIn}: routes a request to its
 * operation, sends the bearer challenge, applies queued faults, and renders results and errors as Key Vault does.
 */
final class KeyVaultHandler implements HttpHandler {

    private static final Logger logger = LoggerFactory.getLogger(KeyVaultHandler.class);

    private static final JsonMapper json = JsonMapper.builder().build();

    private final KeyVaultStandIn standIn;

    KeyVaultHandler(KeyVaultStandIn standIn) {
        this.standIn = standIn;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange);
        }
        catch (RuntimeException ex) {
            logger.warn("Key Vault stand-in failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                    ex);
        }
    }

    private void respond(HttpExchange exchange) throws IOException {
        if (!isAuthorized(exchange)) {
            this.standIn.recordChallenge();
            sendChallenge(exchange);
            return;
        }
        Route route = Route.parse(exchange.getRequestMethod(), exchange.getRequestURI().getPath());
        if (route == null) {
            sendError(exchange, KeyVaultError.badParameter("The request URI or method is not supported: %s %s"
                .formatted(exchange.getRequestMethod(), exchange.getRequestURI().getPath())));
            return;
        }
        this.standIn.recordRequest(route.operation());
        KeyVaultFaults.Fault fault = this.standIn.faults().take(route.operation());
        if (fault != null && fault.delay() != null) {
            pause(fault.delay());
        }
        if (fault != null && fault.error() != null) {
            sendError(exchange, fault.error());
            return;
        }
        try {
            JsonNode body = readBody(exchange.getRequestBody());
            sendJson(exchange, 200, execute(route, body));
        }
        catch (KeyVaultError error) {
            sendError(exchange, error);
        }
    }

    private boolean isAuthorized(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String token = authorization.substring(7).trim();
        String required = this.standIn.requiredToken();
        return !token.isEmpty() && (required == null || required.equals(token));
    }

    private ObjectNode execute(Route route, JsonNode body) {
        return switch (route.operation()) {
            case CREATE_KEY -> keyBundle(this.standIn.createKey(route.name(), body));
            case GET_KEY -> keyBundle(this.standIn.findKey(route.name(), route.version()));
            case UPDATE_KEY -> keyBundle(updateKey(this.standIn.findKey(route.name(), route.version()), body));
            case ENCRYPT -> encrypt(route, body, "encrypt");
            case WRAP_KEY -> encrypt(route, body, "wrapKey");
            case DECRYPT -> decrypt(route, body, "decrypt");
            case UNWRAP_KEY -> decrypt(route, body, "unwrapKey");
            case SIGN -> sign(route, body);
            case VERIFY -> verify(route, body);
            case ANY -> throw new IllegalStateException("ANY is not a routable operation");
        };
    }

    private static StandInKey updateKey(StandInKey key, JsonNode body) {
        JsonNode attributes = body.path("attributes");
        Boolean enabled = attributes.has("enabled") ? attributes.get("enabled").asBoolean() : null;
        key.update(enabled, epochSeconds(attributes, "nbf"), epochSeconds(attributes, "exp"));
        return key;
    }

    private ObjectNode encrypt(Route route, JsonNode body, String keyOperation) {
        StandInKey key = this.standIn.findKey(route.name(), route.version());
        key.checkUsable(keyOperation, true);
        byte[] ciphertext = key.encrypt(requiredText(body, "alg"), requiredBytes(body, "value"));
        return operationResult(key, ciphertext);
    }

    private ObjectNode decrypt(Route route, JsonNode body, String keyOperation) {
        StandInKey key = this.standIn.findKey(route.name(), route.version());
        key.checkUsable(keyOperation, false);
        byte[] plaintext = key.decrypt(requiredText(body, "alg"), requiredBytes(body, "value"));
        return operationResult(key, plaintext);
    }

    private ObjectNode sign(Route route, JsonNode body) {
        StandInKey key = this.standIn.findKey(route.name(), route.version());
        key.checkUsable("sign", true);
        byte[] signature = key.sign(requiredText(body, "alg"), requiredBytes(body, "value"));
        return operationResult(key, signature);
    }

    private ObjectNode verify(Route route, JsonNode body) {
        StandInKey key = this.standIn.findKey(route.name(), route.version());
        key.checkUsable("verify", false);
        boolean valid = key.verify(requiredText(body, "alg"), requiredBytes(body, "digest"),
                requiredBytes(body, "value"));
        ObjectNode result = json.createObjectNode();
        result.put("value", valid);
        return result;
    }

    private ObjectNode operationResult(StandInKey key, byte[] value) {
        ObjectNode result = json.createObjectNode();
        result.put("kid", this.standIn.keyId(key));
        result.put("value", StandInKey.base64Url(value));
        return result;
    }

    private ObjectNode keyBundle(StandInKey key) {
        ObjectNode jwk = json.createObjectNode();
        jwk.put("kid", this.standIn.keyId(key));
        jwk.put("kty", key.keyType());
        ArrayNode operations = jwk.putArray("key_ops");
        key.keyOperations().forEach(operations::add);
        for (Map.Entry<String, String> member : key.publicJwkMembers().entrySet()) {
            jwk.put(member.getKey(), member.getValue());
        }

        ObjectNode bundle = json.createObjectNode();
        bundle.set("key", jwk);
        ObjectNode attributes = bundle.putObject("attributes");
        attributes.put("enabled", key.isEnabled());
        attributes.put("created", key.created().getEpochSecond());
        attributes.put("updated", key.updated().getEpochSecond());
        if (key.notBefore() != null) {
            attributes.put("nbf", key.notBefore().getEpochSecond());
        }
        if (key.expiresOn() != null) {
            attributes.put("exp", key.expiresOn().getEpochSecond());
        }
        attributes.put("recoveryLevel", "Recoverable+Purgeable");
        attributes.put("recoverableDays", 90);
        return bundle;
    }

    private static JsonNode readBody(InputStream body) {
        try {
            byte[] bytes = body.readAllBytes();
            return (bytes.length == 0) ? json.createObjectNode() : json.readTree(bytes);
        }
        catch (IOException | JacksonException ex) {
            throw KeyVaultError.badParameter("The request body is not valid JSON.");
        }
    }

    static String requiredText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw KeyVaultError.badParameter("The parameter '%s' is required.".formatted(field));
        }
        return value.asString();
    }

    private static byte[] requiredBytes(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isString()) {
            throw KeyVaultError.badParameter("The parameter '%s' is required.".formatted(field));
        }
        try {
            return Base64.getUrlDecoder().decode(value.asString());
        }
        catch (IllegalArgumentException ex) {
            throw KeyVaultError.badParameter("The parameter '%s' is not valid base64url.".formatted(field));
        }
    }

    static Instant epochSeconds(JsonNode attributes, String field) {
        JsonNode value = attributes.get(field);
        return (value == null || value.isNull()) ? null : Instant.ofEpochSecond(value.asLong());
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sendChallenge(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        sendError(exchange, new KeyVaultError(401, "Unauthorized", null,
                "AKV10000: Request is missing a Bearer or PoP token."));
    }

    private static void sendError(HttpExchange exchange, KeyVaultError error) throws IOException {
        ObjectNode body = json.createObjectNode();
        ObjectNode detail = body.putObject("error");
        detail.put("code", error.code());
        detail.put("message", error.getMessage());
        if (error.innerCode() != null) {
            detail.putObject("innererror").put("code", error.innerCode());
        }
        if (error.status() == 401) {
            // Key Vault sends the bearer challenge with every 401, also when a token was given but rejected.
            exchange.getResponseHeaders().add("WWW-Authenticate",
                    "Bearer authorization=\"https://login.microsoftonline.com/%s\", resource=\"%s\""
                        .formatted(KeyVaultStandIn.TENANT_ID, KeyVaultStandIn.RESOURCE));
        }
        if (error.status() == 429) {
            exchange.getResponseHeaders().add("Retry-After", "1");
        }
        sendJson(exchange, error.status(), body);
    }

    private static void sendJson(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().add("x-ms-keyvault-service-version", "1.9.0.0");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Operation, key name and version of a request path; the version is empty when the path names the current one.
     */
    record Route(KeyVaultOperation operation, String name, String version) {

        private static final Map<String, KeyVaultOperation> ACTIONS = Map.of("encrypt", KeyVaultOperation.ENCRYPT,
                "decrypt", KeyVaultOperation.DECRYPT, "sign", KeyVaultOperation.SIGN, "verify",
                KeyVaultOperation.VERIFY, "wrapkey", KeyVaultOperation.WRAP_KEY, "unwrapkey",
                KeyVaultOperation.UNWRAP_KEY);

        static Route parse(String method, String path) {
            List<String> segments = segments(path);
            if (segments.size() < 2 || !segments.get(0).equals("keys")) {
                return null;
            }
            String name = segments.get(1);
            String version = (segments.size() > 2) ? segments.get(2) : "";
            if (method.equals("POST") && segments.size() == 3 && version.equals("create")) {
                return new Route(KeyVaultOperation.CREATE_KEY, name, "");
            }
            if (segments.size() <= 3 && method.equals("GET")) {
                return new Route(KeyVaultOperation.GET_KEY, name, version);
            }
            if (segments.size() <= 3 && method.equals("PATCH")) {
                return new Route(KeyVaultOperation.UPDATE_KEY, name, version);
            }
            if (segments.size() == 4 && method.equals("POST")) {
                KeyVaultOperation operation = ACTIONS.get(segments.get(3).toLowerCase(Locale.ROOT));
                return (operation != null) ? new Route(operation, name, version) : null;
            }
            return null;
        }

        /** Splits a path into segments, keeping an empty version segment as in {@code /keys/name//sign}. */
        private static List<String> segments(String path) {
            String trimmed = path.startsWith("/") ? path.substring(1) : path;
            if (trimmed.endsWith("/")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            List<String> segments = new ArrayList<>(List.of(trimmed.split("/", -1)));
            segments.replaceAll((segment) -> java.net.URLDecoder.decode(segment, StandardCharsets.UTF_8));
            return segments;
        }
    }
}
