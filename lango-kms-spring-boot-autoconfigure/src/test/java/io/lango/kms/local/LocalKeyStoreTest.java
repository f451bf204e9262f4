package io.lango.kms.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.autoconfigure.KmsProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class LocalKeyStoreTest {

    private static final java.util.function.Function<String, String> NO_ENVIRONMENT = (variable) -> null;

    @TempDir
    Path directory;

    @Test
    void ciphertextDecryptsAfterReload() {
        KmsProperties properties = properties(this.directory.resolve("keys.p12"), "changeit");
        byte[] ciphertext = new LocalCryptoProvider(LocalKeyStore.load(properties, NO_ENVIRONMENT))
            .encrypt("", "kept".getBytes(StandardCharsets.UTF_8));
        byte[] signature = new LocalCryptoProvider(LocalKeyStore.load(properties, NO_ENVIRONMENT))
            .sign("", "signed".getBytes(StandardCharsets.UTF_8));

        LocalCryptoProvider restarted = new LocalCryptoProvider(LocalKeyStore.load(properties, NO_ENVIRONMENT));

        assertThat(restarted.decrypt("", ciphertext)).isEqualTo("kept".getBytes(StandardCharsets.UTF_8));
        assertThat(restarted.verify("", "signed".getBytes(StandardCharsets.UTF_8), signature)).isTrue();
        assertThat(restarted.isPersistent()).isTrue();
    }

    @Test
    void keyStoreIsCreatedOwnerOnly() throws Exception {
        Path file = this.directory.resolve("nested/keys.p12");

        LocalKeyStore.load(properties(file, "changeit"), NO_ENVIRONMENT);

        assertThat(file).exists();
        assertThat(Files.getPosixFilePermissions(file))
            .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void sharedKeyStoreLogsWarning(CapturedOutput output) throws Exception {
        Path file = this.directory.resolve("keys.p12");
        LocalKeyStore.load(properties(file, "changeit"), NO_ENVIRONMENT);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        LocalKeyStore.load(properties(file, "changeit"), NO_ENVIRONMENT);

        assertThat(output.getOut()).contains("is accessible to other users (rw-r--r--)").contains("chmod 600");
    }

    @Test
    void passwordComesFromEnvironmentWhenPropertyIsEmpty() {
        Path file = this.directory.resolve("keys.p12");
        KmsProperties properties = properties(file, null);
        Map<String, String> environment = Map.of(LocalKeyStore.PASSWORD_ENVIRONMENT_VARIABLE, "from-env");
        byte[] ciphertext = new LocalCryptoProvider(LocalKeyStore.load(properties, environment::get))
            .encrypt("", new byte[] { 9 });

        LocalCryptoProvider reopened = new LocalCryptoProvider(
                LocalKeyStore.load(properties(file, "from-env"), NO_ENVIRONMENT));

        assertThat(reopened.decrypt("", ciphertext)).containsExactly(9);
    }

    @Test
    void missingPasswordNamesBothSources() {
        KmsProperties properties = properties(this.directory.resolve("keys.p12"), null);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> LocalKeyStore.load(properties, NO_ENVIRONMENT))
            .satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("security.kms.local.key-store-password");
                assertThat(ex.getAction()).contains("LANGO_LOCAL_KEYSTORE_PASSWORD");
            });
    }

    @Test
    void wrongPasswordFailsWithoutChangingFile() throws Exception {
        Path file = this.directory.resolve("keys.p12");
        LocalKeyStore.load(properties(file, "right"), NO_ENVIRONMENT);
        byte[] before = Files.readAllBytes(file);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> LocalKeyStore.load(properties(file, "wrong"), NO_ENVIRONMENT))
            .satisfies((ex) -> {
                assertThat(ex.getMessage()).contains("could not be opened");
                assertThat(ex.getMessage()).doesNotContain("wrong");
            });
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void newNamedKeyKeepsOldKeys() {
        Path file = this.directory.resolve("keys.p12");
        KmsProperties properties = properties(file, "changeit");
        byte[] ciphertext = new LocalCryptoProvider(LocalKeyStore.load(properties, NO_ENVIRONMENT))
            .encrypt("", new byte[] { 5 });
        KmsProperties.KeyEntry entry = new KmsProperties.KeyEntry();
        entry.setName("Invoices");
        entry.setType(KmsProperties.KeyType.SIGNING);
        properties.getKeys().add(entry);

        LocalKeys keys = LocalKeyStore.load(properties, NO_ENVIRONMENT);
        LocalKeys reloaded = LocalKeyStore.load(properties, NO_ENVIRONMENT);

        assertThat(new LocalCryptoProvider(keys).decrypt("", ciphertext)).containsExactly(5);
        assertThat(reloaded.signingKeys().get("Invoices").getPublic())
            .isEqualTo(keys.signingKeys().get("Invoices").getPublic());
    }

    @Test
    void ephemeralKeysLogWarningWithFix(CapturedOutput output) {
        LocalKeys keys = LocalKeyStore.load(new KmsProperties(), NO_ENVIRONMENT);

        assertThat(keys.persistent()).isFalse();
        assertThat(output.getOut()).contains("cannot be decrypted after a restart")
            .contains("security.kms.local.key-store");
    }

    private static KmsProperties properties(Path file, String password) {
        KmsProperties properties = new KmsProperties();
        properties.getLocal().setKeyStore(file.toString());
        properties.getLocal().setKeyStorePassword(password);
        return properties;
    }
}
