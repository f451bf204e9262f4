package io.lango.kms.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.lango.kms.sample.SampleAppClient.Reply;

import static io.lango.kms.sample.SampleAppClient.base64;
import static io.lango.kms.sample.SampleAppClient.fields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ciphertext and signatures made before a restart of the sample app remain usable after it when a local key store
 * is configured, and become unusable without one.
 */
class LocalKeyStoreRestartTest {

    private static final String PASSWORD = "restart-test-password";

    @TempDir
    Path directory;

    @Test
    void ciphertextFromBeforeRestartDecryptsAfterIt() throws IOException {
        Path keyStore = this.directory.resolve("keys").resolve("sample.p12");
        String[] args = { "--security.kms.local.key-store=" + keyStore,
                "--security.kms.local.key-store-password=" + PASSWORD };
        byte[] plaintext = SampleAppChecks.randomNonUtf8(32);
        byte[] payload = "signed before the restart".getBytes(StandardCharsets.UTF_8);

        byte[] ciphertext;
        byte[] signature;
        byte[] publicKeyBefore;
        try (ConfigurableApplicationContext context = start(args)) {
            SampleAppClient client = client(context);
            ciphertext = client.encrypt(null, plaintext);
            signature = client.sign(null, payload);
            publicKeyBefore = client.publicKey(null);
        }

        assertThat(keyStore).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyStore))).isEqualTo("rw-------");
        try (ConfigurableApplicationContext context = start(args)) {
            SampleAppClient client = client(context);
            assertThat(client.decrypt(null, ciphertext)).as("plaintext after restart").isEqualTo(plaintext);
            assertThat(client.publicKey(null)).as("public key after restart").isEqualTo(publicKeyBefore);
            assertThat(client.verify(null, payload, signature)).as("/api/verify after restart").isTrue();
            assertThat(SampleAppChecks.jcaVerify(SampleAppChecks.decodeEcPublicKey(client.publicKey(null)), payload,
                    signature))
                .as("JCA verification after restart")
                .isTrue();
            assertPasswordNotExposed(client);
        }
    }

    @Test
    void ciphertextFromEphemeralKeysFailsAfterRestart() {
        byte[] ciphertext;
        try (ConfigurableApplicationContext context = start()) {
            ciphertext = client(context).encrypt(null, new byte[] { 1, 2, 3 });
        }

        try (ConfigurableApplicationContext context = start()) {
            Reply reply = client(context).postJson("/api/decrypt", fields("ciphertext", base64(ciphertext)));
            SampleAppChecks.assertKmsProblem(reply, "INVALID_CIPHERTEXT");
        }
    }

    private static void assertPasswordNotExposed(SampleAppClient client) {
        for (String path : List.of("/actuator/health", "/actuator/kms", "/actuator/kms/keys")) {
            Reply reply = client.get(path);
            assertThat(reply.status()).as("status of %s", path).isEqualTo(200);
            assertThat(reply.body()).as("body of %s", path).doesNotContain(PASSWORD);
        }
    }

    private static ConfigurableApplicationContext start(String... args) {
        // A command-line argument, because default properties rank below the port in application.yml.
        String[] arguments = Arrays.copyOf(args, args.length + 1);
        arguments[args.length] = "--server.port=0";
        return new SpringApplicationBuilder(SampleApplication.class).run(arguments);
    }

    private static SampleAppClient client(ConfigurableApplicationContext context) {
        return new SampleAppClient("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }
}
