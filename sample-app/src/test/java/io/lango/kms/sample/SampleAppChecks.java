package io.lango.kms.sample;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import io.lango.kms.sample.SampleAppClient.Reply;

import static io.lango.kms.sample.SampleAppClient.base64;
import static io.lango.kms.sample.SampleAppClient.fields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks of the sample app's REST API and Actuator endpoints that every backend must pass, run over HTTP against a
 * started app. A backend's profile test starts the app on its stand-in and calls
 * {@code SampleAppChecks.assertRestAndActuator(baseUrl, "aws-kms")}.
 */
public final class SampleAppChecks {

    /** Member names that would put a secret or the plaintext into an Actuator response. */
    private static final Set<String> SECRET_MEMBERS = Set.of("plaintext", "pin", "password", "keyStorePassword",
            "secret", "token", "privateKey", "keyMaterial");

    /** A Java stack frame such as "at io.lango.kms.Foo.bar(Foo.java:12)". */
    private static final Pattern STACK_FRAME = Pattern.compile("\\bat [\\w$]+(\\.[\\w$<>]+)+\\(");

    private static final SecureRandom RANDOM = new SecureRandom();

    private SampleAppChecks() {
    }

    /**
     * Runs every check: encrypt/decrypt, sign/verify, health, the {@code kms} endpoint and bad input.
     *
     * @param baseUrl the app's base URL, for example {@code http://127.0.0.1:8080}
     * @param provider the configured provider's name, for example {@code local} or {@code aws-kms}
     */
    public static void assertRestAndActuator(String baseUrl, String provider) {
        SampleAppClient client = new SampleAppClient(baseUrl);
        assertEncryptDecryptRoundTrip(client);
        assertSignatureVerifiesWithJca(client);
        assertHealthUp(client, provider);
        assertKmsEndpoint(client, provider);
        assertBadInputRejected(client);
    }

    /**
     * Checks that 32 random bytes that are not valid UTF-8 come back bit-exact from encrypt and decrypt, with the
     * default key given as omitted and as {@code default}.
     */
    public static void assertEncryptDecryptRoundTrip(SampleAppClient client) {
        byte[] plaintext = randomNonUtf8(32);

        byte[] ciphertext = client.encrypt(null, plaintext);
        byte[] again = client.encrypt("default", plaintext);

        assertThat(ciphertext).as("ciphertext is longer than the plaintext").hasSizeGreaterThan(plaintext.length);
        assertThat(again).as("encrypting the same plaintext twice gives different ciphertexts").isNotEqualTo(ciphertext);
        assertThat(client.decrypt(null, ciphertext)).as("decrypted bytes").isEqualTo(plaintext);
        assertThat(client.decrypt("default", again)).as("decrypted bytes with keyId 'default'").isEqualTo(plaintext);
    }

    /**
     * Checks that a signature from {@code /api/sign} verifies with plain JCA {@code SHA256withECDSA} against the
     * P-256 key from {@code /api/public-key}, and that {@code /api/verify} accepts it and rejects a changed payload.
     */
    public static void assertSignatureVerifiesWithJca(SampleAppClient client) {
        byte[] payload = new byte[1000];
        RANDOM.nextBytes(payload);

        byte[] signature = client.sign(null, payload);
        byte[] encodedKey = client.publicKey(null);
        PublicKey publicKey = decodeEcPublicKey(encodedKey);
        byte[] changedPayload = Arrays.copyOf(payload, payload.length);
        changedPayload[0] ^= 1;

        assertThat(((ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize())
            .as("public key curve size (P-256)")
            .isEqualTo(256);
        assertThat(jcaVerify(publicKey, payload, signature)).as("JCA SHA256withECDSA verifies the signature").isTrue();
        assertThat(jcaVerify(publicKey, changedPayload, signature)).as("JCA rejects a changed payload").isFalse();
        assertThat(client.publicKey("default")).as("public key for keyId 'default'").isEqualTo(encodedKey);
        assertThat(client.verify(null, payload, signature)).as("/api/verify of the signature").isTrue();
        assertThat(client.verify(null, changedPayload, signature)).as("/api/verify of a changed payload").isFalse();
    }

    /**
     * Checks that {@code /actuator/health} is UP with a {@code kms} component that is UP and names the provider.
     */
    public static void assertHealthUp(SampleAppClient client, String provider) {
        Reply reply = client.get("/actuator/health");
        JsonNode kms = reply.json().path("components").path("kms");

        assertThat(reply.status()).as("GET /actuator/health status, body %s", reply.body()).isEqualTo(200);
        assertThat(reply.json().path("status").asString()).as("overall health").isEqualTo("UP");
        assertThat(kms.path("status").asString()).as("kms health component in %s", reply.body()).isEqualTo("UP");
        assertThat(kms.path("details").path("provider").asString()).as("kms health provider").isEqualTo(provider);
        assertThat(kms.path("details").path("connection").asString()).as("kms health connection")
            .isEqualTo("connected");
    }

    /**
     * Checks {@code GET /actuator/kms}, {@code GET /actuator/kms/keys} and {@code POST /actuator/kms/test}, and
     * that none of them contains a secret or the plaintext.
     */
    public static void assertKmsEndpoint(SampleAppClient client, String provider) {
        Reply status = client.get("/actuator/kms");
        assertThat(status.status()).as("GET /actuator/kms status, body %s", status.body()).isEqualTo(200);
        JsonNode statusJson = status.json();
        assertThat(statusJson.path("provider").asString()).as("provider in %s", status.body()).isEqualTo(provider);
        assertThat(statusJson.path("connection").asString()).as("connection").isEqualTo("connected");
        assertThat(statusJson.path("fallbackEnabled").isBoolean()).as("fallbackEnabled is a boolean").isTrue();
        assertThat(statusJson.has("keyId")).as("keyId member").isTrue();
        assertThat(statusJson.has("region")).as("region member").isTrue();
        assertThat(statusJson.path("lastProbe").isString()).as("lastProbe is a timestamp").isTrue();
        assertNoSecrets(status);

        Reply keys = client.get("/actuator/kms/keys");
        assertThat(keys.status()).as("GET /actuator/kms/keys status, body %s", keys.body()).isEqualTo(200);
        JsonNode keyList = keys.json().path("keys");
        assertThat(keyList.isArray()).as("keys array in %s", keys.body()).isTrue();
        assertThat(keyNamed(keyList, "default", "ENCRYPTION")).as("default encryption key in %s", keys.body())
            .isNotNull();
        assertThat(keyNamed(keyList, "default", "SIGNING")).as("default signing key in %s", keys.body()).isNotNull();
        for (JsonNode key : keyList) {
            assertThat(key.path("id").asString()).as("id of %s", key).isNotBlank();
            assertThat(key.path("remoteKeyId").asString()).as("remoteKeyId of %s", key).isNotBlank();
        }
        assertNoSecrets(keys);

        Reply test = client.postRaw("/actuator/kms/test", null, null);
        assertThat(test.status()).as("POST /actuator/kms/test status, body %s", test.body()).isEqualTo(200);
        JsonNode result = test.json();
        assertThat(result.path("result").asString()).as("round-trip result in %s", test.body()).isEqualTo("PASS");
        assertThat(result.path("provider").asString()).as("round-trip provider").isEqualTo(provider);
        assertThat(result.path("plaintextBytes").intValue()).as("plaintextBytes").isEqualTo(32);
        assertThat(result.path("ciphertextBytes").intValue()).as("ciphertextBytes").isGreaterThan(32);
        assertThat(result.path("encryptMillis").isIntegralNumber()).as("encryptMillis is a number").isTrue();
        assertThat(result.path("decryptMillis").isIntegralNumber()).as("decryptMillis is a number").isTrue();
        assertThat(result.path("error").isNull()).as("error is null").isTrue();
        assertNoSecrets(test);

        Reply unknown = client.get("/actuator/kms/nothing");
        assertThat(unknown.status()).as("GET /actuator/kms/nothing status").isEqualTo(404);
    }

    /**
     * Checks that each kind of bad input gives a 4xx problem detail with a clear message and no stack trace.
     */
    public static void assertBadInputRejected(SampleAppClient client) {
        byte[] ciphertext = client.encrypt(null, "bad input checks".getBytes(StandardCharsets.UTF_8));
        byte[] tampered = Arrays.copyOf(ciphertext, ciphertext.length);
        tampered[tampered.length - 1] ^= 1;
        byte[] truncated = Arrays.copyOf(ciphertext, 7);
        byte[] headerless = new byte[64];
        RANDOM.nextBytes(headerless);
        String unknownKey = "no-such-key-" + Integer.toHexString(RANDOM.nextInt());

        assertFieldProblem(client.postJson("/api/encrypt", fields("keyId", null, "plaintext", null)), "plaintext");
        assertFieldProblem(client.postJson("/api/encrypt", fields("plaintext", "not base64!")), "plaintext");
        assertFieldProblem(client.postJson("/api/decrypt", fields("ciphertext", null)), "ciphertext");
        assertFieldProblem(client.postJson("/api/decrypt", fields("ciphertext", "%%%")), "ciphertext");
        assertFieldProblem(client.postJson("/api/sign", fields("payload", null)), "payload");
        assertFieldProblem(client.postJson("/api/verify", fields("payload", base64(new byte[] { 1 }))), "signature");

        assertKmsProblem(client.postJson("/api/decrypt", fields("ciphertext", base64(tampered))), "INVALID_CIPHERTEXT");
        assertKmsProblem(client.postJson("/api/decrypt", fields("ciphertext", base64(truncated))), "INVALID_CIPHERTEXT");
        assertKmsProblem(client.postJson("/api/decrypt", fields("ciphertext", base64(headerless))),
                "INVALID_CIPHERTEXT");

        Reply unknownEncrypt = client.postJson("/api/encrypt", fields("keyId", unknownKey, "plaintext", "AAEC"));
        assertProblem(unknownEncrypt);
        assertThat(unknownEncrypt.json().path("detail").asString()).as("detail names the key").contains(unknownKey);
        Reply unknownPublicKey = client.get("/api/public-key?keyId=" + unknownKey);
        assertProblem(unknownPublicKey);
        assertThat(unknownPublicKey.json().path("detail").asString()).as("detail names the key").contains(unknownKey);

        assertProblemStatus(client.postRaw("/api/encrypt", "application/json", "{\"plaintext\":"), 400);
        assertProblemStatus(client.postRaw("/api/encrypt", "application/json", null), 400);
        assertProblemStatus(client.postRaw("/api/encrypt", "text/plain", "AAEC"), 415);
    }

    /**
     * Asserts that {@code reply} is a 400 problem detail naming {@code field}.
     */
    public static void assertFieldProblem(Reply reply, String field) {
        assertProblemStatus(reply, 400);
        assertThat(reply.json().path("field").asString()).as("field of %s", reply.body()).isEqualTo(field);
        assertThat(reply.json().path("detail").asString()).as("detail names the field").contains(field);
    }

    /**
     * Asserts that {@code reply} is a 400 problem detail for a {@code KmsException} of {@code kind}.
     */
    public static void assertKmsProblem(Reply reply, String kind) {
        assertProblemStatus(reply, 400);
        assertThat(reply.json().path("kind").asString()).as("kind of %s", reply.body()).isEqualTo(kind);
    }

    /**
     * Asserts that {@code reply} is a problem detail with {@code status}.
     */
    public static void assertProblemStatus(Reply reply, int status) {
        assertThat(reply.status()).as("status of %s, body %s", reply.description(), reply.body()).isEqualTo(status);
        assertProblem(reply);
    }

    /**
     * Asserts that {@code reply} is a 4xx RFC 9457 problem detail with a title and detail and without a stack trace.
     */
    public static void assertProblem(Reply reply) {
        assertThat(reply.status()).as("status of %s, body %s", reply.description(), reply.body()).isBetween(400, 499);
        assertThat(reply.contentType()).as("Content-Type of %s", reply.description())
            .hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = reply.json();
        assertThat(problem.path("status").intValue()).as("status member of %s", reply.body()).isEqualTo(reply.status());
        assertThat(problem.path("title").asString()).as("title of %s", reply.body()).isNotBlank();
        assertThat(problem.path("detail").asString()).as("detail of %s", reply.body()).isNotBlank();
        assertNoStackTrace(reply);
    }

    /**
     * Asserts that the body has no stack frame and no {@code trace} or {@code exception} member.
     */
    public static void assertNoStackTrace(Reply reply) {
        assertThat(reply.body()).as("body of %s", reply.description()).doesNotContainPattern(STACK_FRAME);
        for (String member : List.of("trace", "stackTrace", "exception")) {
            assertThat(reply.json().has(member)).as("'%s' member in %s", member, reply.body()).isFalse();
        }
    }

    private static void assertNoSecrets(Reply reply) {
        List<String> names = memberNames(reply.json());
        assertThat(names).as("member names of %s", reply.description()).doesNotContainAnyElementsOf(SECRET_MEMBERS);
    }

    private static List<String> memberNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        if (node.isObject()) {
            for (var property : node.properties()) {
                names.add(property.getKey());
                names.addAll(memberNames(property.getValue()));
            }
        }
        else if (node.isArray()) {
            for (JsonNode element : node) {
                names.addAll(memberNames(element));
            }
        }
        return names;
    }

    private static JsonNode keyNamed(JsonNode keys, String name, String type) {
        for (JsonNode key : keys) {
            if (name.equals(key.path("name").asString()) && type.equals(key.path("type").asString())) {
                return key;
            }
        }
        return null;
    }

    /**
     * Returns random bytes that are not valid UTF-8: 0xFF never occurs in UTF-8, and one byte is set to it.
     */
    static byte[] randomNonUtf8(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        bytes[RANDOM.nextInt(length)] = (byte) 0xFF;
        assertThat(isValidUtf8(bytes)).as("test plaintext is not valid UTF-8").isFalse();
        return bytes;
    }

    private static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return true;
        }
        catch (CharacterCodingException ex) {
            return false;
        }
    }

    /**
     * Decodes a DER X.509 SubjectPublicKeyInfo into an EC public key with the JDK's own key factory.
     */
    public static PublicKey decodeEcPublicKey(byte[] encoded) {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(encoded));
        }
        catch (GeneralSecurityException ex) {
            throw new AssertionError("public key is not a DER X.509 EC key: " + ex.getMessage(), ex);
        }
    }

    /**
     * Verifies a DER ECDSA signature over SHA-256 of {@code payload} with plain JCA.
     */
    public static boolean jcaVerify(PublicKey publicKey, byte[] payload, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(publicKey);
            verifier.update(payload);
            return verifier.verify(signature);
        }
        catch (GeneralSecurityException ex) {
            throw new AssertionError("JCA verification failed: " + ex.getMessage(), ex);
        }
    }
}
