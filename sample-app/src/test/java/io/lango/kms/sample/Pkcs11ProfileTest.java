package io.lango.kms.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsBackends;
import io.lango.kms.sample.SampleAppClient.Reply;
import io.lango.kms.testsupport.pkcs11.SoftHsmExtension;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app with the {@code pkcs11} profile on a SoftHSM2 token, over real HTTP.
 *
 * <p>The profile's key labels are the ones the token extension provisions. The test supplies the module path and
 * the PIN, which the profile otherwise reads from {@code LANGO_PKCS11_MODULE} and {@code LANGO_PKCS11_PIN}. It leaves
 * the slot id empty, as the profile does without {@code LANGO_PKCS11_SLOT_ID}, so slot-list-index 0 selects the
 * token: SoftHSM2 lists the initialised tokens before its one free slot.
 */
@ExtendWith(SoftHsmExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("pkcs11")
class Pkcs11ProfileTest {

    @LocalServerPort
    private int port;

    @Autowired
    private KmsBackends backends;

    private SampleAppClient client;

    @DynamicPropertySource
    static void token(DynamicPropertyRegistry registry) {
        registry.add("security.kms.pkcs11.module-path", () -> SoftHsmExtension.token().modulePath());
        registry.add("security.kms.pkcs11.pin", () -> SoftHsmExtension.token().userPin());
        FallbackKeyStore.register(registry);
    }

    @BeforeEach
    void createClient() {
        this.client = new SampleAppClient("http://127.0.0.1:" + this.port);
    }

    @Test
    void restApiAndActuatorPassSharedChecks() {
        SampleAppChecks.assertRestAndActuator(this.client.baseUrl(), "pkcs11");
    }

    @Test
    void primaryProviderIsPkcs11() {
        CryptoProvider primary = this.backends.primary().unwrap();

        assertThat(primary.providerName()).isEqualTo(KmsProviderName.PKCS11);
        assertThat(this.backends.fallback()).as("local fallback, enabled by default").isNotNull();
    }

    @Test
    void keysEndpointListsTokenLabels() {
        Reply keys = this.client.get("/actuator/kms/keys");

        assertThat(keys.status()).isEqualTo(200);
        assertThat(remoteKeyId(keys.json().path("keys"), "ENCRYPTION")).isEqualTo(SoftHsmToken.AES_KEY_LABEL);
        assertThat(remoteKeyId(keys.json().path("keys"), "SIGNING")).isEqualTo(SoftHsmToken.EC_KEY_LABEL);
    }

    @Test
    void healthShowsPkcs11Connected() {
        Reply reply = this.client.get("/actuator/health/kms");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("status").asString()).isEqualTo("UP");
        assertThat(reply.json().path("details").path("provider").asString()).isEqualTo("pkcs11");
        assertThat(reply.json().path("details").path("connection").asString()).isEqualTo("connected");
        assertThat(reply.json().path("details").path("servingFrom").asString()).isEqualTo("pkcs11");
    }

    private static String remoteKeyId(JsonNode keys, String type) {
        for (JsonNode key : keys) {
            if ("default".equals(key.path("name").asString()) && type.equals(key.path("type").asString())) {
                return key.path("remoteKeyId").asString();
            }
        }
        throw new AssertionError("no default " + type + " key in " + keys);
    }
}
