package io.lango.kms.gcp;

import java.io.IOException;
import java.time.Duration;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyEntry;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

import static io.lango.kms.gcp.GcpTestSupport.ENCRYPTION_KEY;
import static io.lango.kms.gcp.GcpTestSupport.SIGNING_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Start-up of the Cloud KMS backend: the factory finds it, and invalid configuration fails with the property and
 * the fix.
 */
class GcpKmsBackendTests {

    private static GcpKmsStandIn standIn;

    @BeforeAll
    static void startStandIn() {
        standIn = GcpKmsStandIn.start();
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @Test
    void factoryCreatesGcpProvider() {
        KmsProperties properties = GcpTestSupport.properties(standIn);

        try (RetryingCryptoProvider provider = KmsProviderFactory.create("gcp-kms",
                GcpTestSupport.context(properties))) {
            assertThat(provider.unwrap()).isInstanceOf(GcpKmsCryptoProvider.class);
            assertThat(provider.providerName()).isEqualTo(KmsProviderName.GCP_KMS);
            byte[] ciphertext = provider.encrypt("default", new byte[] { 1, 2, 3 });
            assertThat(provider.decrypt("default", ciphertext)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void signingKeyWithoutVersionFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.setSigningKeyId(SIGNING_KEY);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> KmsProviderFactory.create("gcp-kms", GcpTestSupport.context(properties)))
            .withMessage("security.kms.signing-key-id '" + SIGNING_KEY + "' names a CryptoKey without a version, "
                    + "but a version is required: Cloud KMS signs with one CryptoKeyVersion.")
            .satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("security.kms.signing-key-id");
                assertThat(ex.getAction()).contains(SIGNING_KEY + "/cryptoKeyVersions/1");
            });
    }

    @Test
    void missingKeyIdFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.setKeyId(null);

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("security.kms.key-id is required when security.kms.provider=gcp-kms")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.key-id"));
    }

    @Test
    void shortKeyIdFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.setKeyId("encryption");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("'encryption' is not a full Cloud KMS key name")
            .satisfies((ex) -> assertThat(ex.getAction()).contains("projects/<project>/locations/<location>"));
    }

    @Test
    void signingEntryWithoutVersionFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.getKeys().add(entry("orders", KeyType.ENCRYPTION, ENCRYPTION_KEY));
        properties.getKeys().add(entry("invoices", KeyType.SIGNING, SIGNING_KEY));

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("a version is required")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.keys[1].remote-key-id"));
    }

    @Test
    void entryWithoutRemoteKeyIdFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.getKeys().add(entry("orders", KeyType.ENCRYPTION, null));

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.keys[0].remote-key-id"));
    }

    @Test
    void invalidEndpointFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.setEndpoint("ftp://127.0.0.1:21");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.endpoint"));
    }

    @Test
    void zeroTimeoutFailsStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        properties.setTimeoutPerOperation(Duration.ZERO);

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.timeout-per-operation"));
    }

    @Test
    void failedCredentialLookupIsAccessDenied() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        CredentialsProvider brokenProvider = () -> {
            throw new IOException("The Application Default Credentials are not available");
        };

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> new GcpKmsBackend().create(GcpTestSupport.context(properties, brokenProvider)))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
                assertThat(ex.getOperation()).isEqualTo(KmsOperations.START_UP);
                assertThat(ex.getKeyId()).isEqualTo(ENCRYPTION_KEY);
            })
            .withMessageContaining("The Application Default Credentials are not available");
    }

    @Test
    void googleCredentialsOnPlaintextEndpointFailStartUp() {
        KmsProperties properties = GcpTestSupport.properties(standIn);
        GoogleCredentials credentials = GoogleCredentials.create(new AccessToken("token", null));
        CredentialsProvider bean = FixedCredentialsProvider.create(credentials);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new GcpKmsBackend().create(GcpTestSupport.context(properties, bean)))
            .withMessageContaining("which gRPC sends only over TLS")
            .satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("security.kms.endpoint");
                assertThat(ex.getAction()).contains("spring.cloud.gcp.core.enabled=false");
            });
    }

    private static CryptoProvider create(KmsProperties properties) {
        return new GcpKmsBackend().create(GcpTestSupport.context(properties));
    }

    private static KeyEntry entry(String name, KeyType type, String remoteKeyId) {
        KeyEntry entry = new KeyEntry();
        entry.setName(name);
        entry.setType(type);
        entry.setRemoteKeyId(remoteKeyId);
        return entry;
    }
}
