package io.lango.kms.azure;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.lango.kms.testsupport.azure.KeyVaultOperation;
import io.lango.kms.testsupport.azure.KeyVaultStandIn;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls the Key Vault stand-in's REST API directly over HTTPS, for the server-side operations that the provider
 * never sends (verify, wrap and unwrap, RSA-OAEP-256) and for the protocol details the SDK hides.
 */
class KeyVaultStandInTest {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static final String TOKEN = "Bearer stand-in-test";

    private static KeyVaultStandIn standIn;

    private static HttpClient client;

    @BeforeAll
    static void startStandIn() throws Exception {
        standIn = KeyVaultStandIn.start();
        client = HttpClient.newBuilder().sslContext(standIn.clientSslContext()).build();
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void resetStandIn() {
        standIn.requireToken(null);
        standIn.reset();
    }

    @Test
    void requestWithoutTokenGetsBearerChallenge() throws Exception {
        standIn.createRsaKey("challenged", 2048);

        HttpResponse<String> response = send("GET", "/keys/challenged", null, null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer authorization=\"https://login.microsoftonline.com/%s\", resource=\"https://vault.azure.net\""
                    .formatted(KeyVaultStandIn.TENANT_ID));
        assertThat(errorCode(response)).isEqualTo("Unauthorized");
        assertThat(standIn.challengeCount()).isEqualTo(1);
        assertThat(standIn.requestCount(KeyVaultOperation.ANY)).isZero();
    }

    @Test
    void requiredTokenRejectsOtherTokens() throws Exception {
        standIn.createRsaKey("guarded", 2048);
        standIn.requireToken("expected");

        assertThat(send("GET", "/keys/guarded", null, TOKEN).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/keys/guarded", null, "Bearer expected").statusCode()).isEqualTo(200);
    }

    @Test
    void createdKeyIsReturnedByGet() throws Exception {
        HttpResponse<String> created = send("POST", "/keys/created/create",
                "{\"kty\":\"EC\",\"crv\":\"P-256\",\"key_ops\":[\"sign\",\"verify\"]}", TOKEN);
        String keyId = body(created).path("key").path("kid").asString();

        HttpResponse<String> current = send("GET", "/keys/created/", null, TOKEN);
        HttpResponse<String> versioned = send("GET", "/keys/created/" + keyId.substring(keyId.lastIndexOf('/') + 1),
                null, TOKEN);

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(keyId).matches(standIn.vaultUrl() + "/keys/created/[0-9a-f]{32}");
        assertThat(body(current).path("key").path("kid").asString()).isEqualTo(keyId);
        assertThat(body(versioned).path("key").path("crv").asString()).isEqualTo("P-256");
        assertThat(body(versioned).path("attributes").path("enabled").asBoolean()).isTrue();
        assertThat(standIn.requestCount(KeyVaultOperation.GET_KEY)).isEqualTo(2);
    }

    @Test
    void serverSignatureVerifiesBothWays() throws Exception {
        String keyId = standIn.createEcKey("signer", "P-256");
        byte[] payload = "signed in the vault".getBytes(StandardCharsets.UTF_8);
        String digest = base64Url(MessageDigest.getInstance("SHA-256").digest(payload));

        byte[] signature = base64UrlDecode(body(post(keyId, "sign", "{\"alg\":\"ES256\",\"value\":\"" + digest + "\"}"))
            .path("value")
            .asString());

        assertThat(signature).hasSize(64);
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(ecPublicKey(body(send("GET", "/keys/signer", null, TOKEN)).path("key")));
        verifier.update(payload);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(serverVerify(keyId, digest, signature)).isTrue();
        signature[5] ^= 0x01;
        assertThat(serverVerify(keyId, digest, signature)).isFalse();
    }

    @Test
    void signRejectsDigestOfWrongLength() throws Exception {
        String keyId = standIn.createEcKey("strict-signer", "P-256");

        HttpResponse<String> response = post(keyId, "sign",
                "{\"alg\":\"ES256\",\"value\":\"" + base64Url(new byte[20]) + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("BadParameter");
    }

    @Test
    void serverSideEncryptAndJcaEncryptBothDecrypt() throws Exception {
        String keyId = standIn.createRsaKey("encrypter", 2048);
        byte[] plaintext = "secret".getBytes(StandardCharsets.UTF_8);
        PublicKey publicKey = rsaPublicKey(body(send("GET", "/keys/encrypter", null, TOKEN)).path("key"));

        for (String algorithm : List.of("RSA-OAEP", "RSA-OAEP-256", "RSA1_5")) {
            String serverCiphertext = body(post(keyId, "encrypt", operation(algorithm, plaintext))).path("value")
                .asString();
            byte[] jcaCiphertext = jcaCipher(algorithm, publicKey).doFinal(plaintext);

            assertThat(decrypt(keyId, algorithm, base64UrlDecode(serverCiphertext))).as(algorithm)
                .isEqualTo(plaintext);
            assertThat(decrypt(keyId, algorithm, jcaCiphertext)).as(algorithm).isEqualTo(plaintext);
        }
        assertThat(standIn.requestCount(KeyVaultOperation.ENCRYPT)).isEqualTo(3);
    }

    @Test
    void wrapAndUnwrapRoundTrip() throws Exception {
        String keyId = standIn.createRsaKey("wrapper", 2048);
        byte[] dataKey = new byte[32];
        dataKey[0] = 7;

        String wrapped = body(post(keyId, "wrapkey", operation("RSA-OAEP-256", dataKey))).path("value").asString();
        HttpResponse<String> unwrapped = post(keyId, "unwrapkey",
                "{\"alg\":\"RSA-OAEP-256\",\"value\":\"" + wrapped + "\"}");

        assertThat(base64UrlDecode(body(unwrapped).path("value").asString())).isEqualTo(dataKey);
        assertThat(standIn.requestCount(KeyVaultOperation.WRAP_KEY)).isEqualTo(1);
        assertThat(standIn.requestCount(KeyVaultOperation.UNWRAP_KEY)).isEqualTo(1);
    }

    @Test
    void disabledKeyRejectsOperationsWithKeyDisabled() throws Exception {
        String keyId = standIn.createRsaKey("switched-off", 2048);

        HttpResponse<String> update = send("PATCH", "/keys/switched-off/" + keyId.substring(keyId.lastIndexOf('/') + 1),
                "{\"attributes\":{\"enabled\":false}}", TOKEN);
        HttpResponse<String> encrypt = post(keyId, "encrypt", operation("RSA-OAEP", new byte[4]));

        assertThat(body(update).path("attributes").path("enabled").asBoolean()).isFalse();
        assertThat(encrypt.statusCode()).isEqualTo(403);
        assertThat(errorCode(encrypt)).isEqualTo("Forbidden");
        assertThat(body(encrypt).path("error").path("innererror").path("code").asString()).isEqualTo("KeyDisabled");
    }

    @Test
    void faultsApplyToNextRequestsOnly() throws Exception {
        standIn.createRsaKey("flaky", 2048);
        standIn.failNext(KeyVaultOperation.GET_KEY, 2, 503, "ServiceUnavailable", null);

        int first = send("GET", "/keys/flaky", null, TOKEN).statusCode();
        int second = send("GET", "/keys/flaky", null, TOKEN).statusCode();
        int third = send("GET", "/keys/flaky", null, TOKEN).statusCode();

        assertThat(List.of(first, second, third)).containsExactly(503, 503, 200);
        assertThat(standIn.requestCount(KeyVaultOperation.GET_KEY)).isEqualTo(3);
    }

    @Test
    void throttlingFaultCarriesRetryAfter() throws Exception {
        standIn.createRsaKey("busy", 2048);
        standIn.failNext(KeyVaultOperation.ANY, 1, 429, "Throttled", null);

        HttpResponse<String> response = send("GET", "/keys/busy", null, TOKEN);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(errorCode(response)).isEqualTo("Throttled");
    }

    @Test
    void unknownKeyIsKeyNotFound() throws Exception {
        HttpResponse<String> response = send("GET", "/keys/never-created", null, TOKEN);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("KeyNotFound");
    }

    @Test
    void certificateNamesLoopbackAddressAndLocalhost() throws Exception {
        assertThat(standIn.certificate().getSubjectAlternativeNames())
            .containsExactlyInAnyOrder(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
        standIn.createRsaKey("by-hostname", 2048);

        // The JDK client checks the host name against the certificate, so this request proves the DNS name works.
        URI byHostname = URI.create("https://localhost:" + standIn.port() + "/keys/by-hostname");
        HttpRequest request = HttpRequest.newBuilder(byHostname)
            .header("Authorization", TOKEN)
            .GET()
            .build();
        assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private static boolean serverVerify(String keyId, String digest, byte[] signature) throws Exception {
        String request = "{\"alg\":\"ES256\",\"digest\":\"%s\",\"value\":\"%s\"}".formatted(digest,
                base64Url(signature));
        return body(post(keyId, "verify", request)).path("value").asBoolean();
    }

    private static byte[] decrypt(String keyId, String algorithm, byte[] ciphertext) throws Exception {
        HttpResponse<String> response = post(keyId, "decrypt", operation(algorithm, ciphertext));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return base64UrlDecode(body(response).path("value").asString());
    }

    private static Cipher jcaCipher(String algorithm, PublicKey publicKey) throws Exception {
        switch (algorithm) {
            case "RSA-OAEP" -> {
                Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
                cipher.init(Cipher.ENCRYPT_MODE, publicKey);
                return cipher;
            }
            case "RSA-OAEP-256" -> {
                Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
                cipher.init(Cipher.ENCRYPT_MODE, publicKey, new OAEPParameterSpec("SHA-256", "MGF1",
                        MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
                return cipher;
            }
            default -> {
                Cipher cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
                cipher.init(Cipher.ENCRYPT_MODE, publicKey);
                return cipher;
            }
        }
    }

    private static String operation(String algorithm, byte[] value) {
        return "{\"alg\":\"%s\",\"value\":\"%s\"}".formatted(algorithm, base64Url(value));
    }

    private static HttpResponse<String> post(String keyId, String action, String body) throws Exception {
        return send("POST", URI.create(keyId).getPath() + "/" + action, body, TOKEN);
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization)
            throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(standIn.vaultUrl() + path + "?api-version=7.6"))
            .method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
                    : HttpRequest.BodyPublishers.noBody())
            .header("Content-Type", "application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode body(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    private static String errorCode(HttpResponse<String> response) {
        return body(response).path("error").path("code").asString();
    }

    private static PublicKey rsaPublicKey(JsonNode jwk) throws Exception {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, base64UrlDecode(jwk.path("n").asString())),
                new BigInteger(1, base64UrlDecode(jwk.path("e").asString()))));
    }

    private static PublicKey ecPublicKey(JsonNode jwk) throws Exception {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECPoint point = new ECPoint(new BigInteger(1, base64UrlDecode(jwk.path("x").asString())),
                new BigInteger(1, base64UrlDecode(jwk.path("y").asString())));
        return KeyFactory.getInstance("EC")
            .generatePublic(new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] base64UrlDecode(String text) {
        return Base64.getUrlDecoder().decode(text);
    }
}
