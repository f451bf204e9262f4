package io.lango.kms.sample;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.lango.kms.sample.SampleAppClient.Reply;

import static io.lango.kms.sample.SampleAppClient.base64;
import static io.lango.kms.sample.SampleAppClient.fields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app on its default configuration (local provider, ephemeral keys) over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

    @LocalServerPort
    private int port;

    private SampleAppClient client;

    @BeforeEach
    void createClient() {
        this.client = new SampleAppClient("http://127.0.0.1:" + this.port);
    }

    @Test
    void restApiAndActuatorPassSharedChecks() {
        SampleAppChecks.assertRestAndActuator(this.client.baseUrl(), "local");
    }

    @Test
    void unknownKeyGives400InvalidKey() {
        Reply encrypt = this.client.postJson("/api/encrypt", fields("keyId", "orders", "plaintext", "AAEC"));
        Reply publicKey = this.client.get("/api/public-key?keyId=orders");

        SampleAppChecks.assertKmsProblem(encrypt, "INVALID_KEY");
        assertThat(encrypt.json().path("keyId").asString()).isEqualTo("orders");
        assertThat(encrypt.json().path("provider").asString()).isEqualTo("local");
        assertThat(encrypt.json().path("operation").asString()).isEqualTo("encrypt");
        SampleAppChecks.assertKmsProblem(publicKey, "INVALID_KEY");
    }

    @Test
    void tamperedCiphertextDetailExplainsTagFailure() {
        byte[] ciphertext = this.client.encrypt(null, "order 42".getBytes(StandardCharsets.UTF_8));
        ciphertext[ciphertext.length - 1] ^= 1;

        Reply reply = this.client.postJson("/api/decrypt", fields("ciphertext", base64(ciphertext)));

        SampleAppChecks.assertKmsProblem(reply, "INVALID_CIPHERTEXT");
        assertThat(reply.json().path("detail").asString()).contains("authentication tag check failed");
        assertThat(reply.json().path("instance").asString()).isEqualTo("/api/decrypt");
    }

    @Test
    void associatedDataMustMatchOnDecrypt() {
        String aad = SampleAppClient.base64("order=17".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        SampleAppClient.Reply encrypted = this.client.postJson("/api/encrypt",
                SampleAppClient.fields("plaintext", SampleAppClient.base64(new byte[] { 1, 2, 3 }), "aad", aad));
        String ciphertext = encrypted.json().path("ciphertext").asString();

        SampleAppClient.Reply matching = this.client.postJson("/api/decrypt",
                SampleAppClient.fields("ciphertext", ciphertext, "aad", aad));
        SampleAppClient.Reply other = this.client.postJson("/api/decrypt", SampleAppClient.fields("ciphertext",
                ciphertext, "aad", SampleAppClient.base64("order=18".getBytes(java.nio.charset.StandardCharsets.UTF_8))));

        assertThat(encrypted.status()).isEqualTo(200);
        assertThat(matching.status()).isEqualTo(200);
        assertThat(matching.json().path("plaintext").asString()).isEqualTo("AQID");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().path("kind").asString()).isEqualTo("INVALID_CIPHERTEXT");
    }

    @Test
    void emptyPlaintextRoundTrips() {
        byte[] ciphertext = this.client.encrypt(null, new byte[0]);

        assertThat(this.client.decrypt(null, ciphertext)).isEmpty();
    }

    @Test
    void malformedSignatureIsInvalidNotAnError() {
        byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);

        assertThat(this.client.verify(null, payload, new byte[] { 1, 2, 3 })).isFalse();
    }

    @Test
    void unknownPathGivesProblemDetail() {
        SampleAppChecks.assertProblemStatus(this.client.get("/api/nothing"), 404);
    }

    @Test
    void healthShowsKmsDetails() {
        Reply reply = this.client.get("/actuator/health/kms");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("status").asString()).isEqualTo("UP");
        assertThat(reply.json().path("details").path("keyId").asString()).isEqualTo("default");
        assertThat(reply.json().path("details").path("fallback").booleanValue()).isFalse();
        assertThat(reply.json().path("details").path("servingFrom").asString()).isEqualTo("local");
    }
}
