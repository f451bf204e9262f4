package io.lango.kms.sample.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.registry.KeyRegistry;
import io.lango.kms.sample.SampleAppClient;
import io.lango.kms.support.KmsHealthChecker;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code security kms} commands run in-process through {@link KmsCommandLine#run}, each starting the sample
 * app's context from its real {@code application.yml} without a web server. Failure cases add a configuration
 * class through {@code --spring.main.sources}; component scanning skips these nested classes, because Spring Boot's
 * test jar registers its test-class exclusion filter for every {@code SpringApplication}.
 */
class KmsCommandLineTest {

    private static final String EPHEMERAL_KEYS_WARNING = "No local key store is configured";

    @Test
    void statusPrintsProviderKeyRegionFallbackAndConnection() {
        CliRun run = run("security", "kms", "status");

        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(run.lines()).anyMatch((line) -> line.matches("Provider:\\s+local"));
        assertThat(run.lines()).anyMatch((line) -> line.matches("Key ID:\\s+\\(default\\)"));
        assertThat(run.lines()).anyMatch((line) -> line.matches("Region:\\s+\\(not set\\)"));
        assertThat(run.lines()).anyMatch((line) -> line.matches("Fallback:\\s+disabled"));
        assertThat(run.lines()).anyMatch((line) -> line.matches("Connection:\\s+connected"));
    }

    @Test
    void statusJsonIsAloneOnStdout() {
        CliRun run = run("security", "kms", "status", "--json");

        JsonNode status = SampleAppClient.JSON.readTree(run.out());
        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(status.path("provider").asString()).isEqualTo("local");
        assertThat(status.path("connection").asString()).isEqualTo("connected");
        assertThat(status.path("fallbackEnabled").booleanValue()).isFalse();
        assertThat(status.has("region")).isTrue();
        assertThat(run.out()).as("stdout starts with the JSON document").startsWith("{");
        assertThat(run.err()).as("log lines go to stderr").contains(EPHEMERAL_KEYS_WARNING);
    }

    @Test
    void statusReadsActiveProfile() {
        CliRun run = run("security", "kms", "status", "--spring.profiles.active=cli-test");

        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(run.lines()).anyMatch((line) -> line.matches("Region:\\s+eu-test-1"));
    }

    @Test
    void statusExits1WhenKmsIsUnreachableWithoutFallback() {
        CliRun text = run("security", "kms", "status", sources(UnreachableKmsConfiguration.class));
        CliRun json = run("security", "kms", "status", "--json", sources(UnreachableKmsConfiguration.class));

        assertThat(text.exitCode()).as("exit code, stderr %s", text.err()).isEqualTo(1);
        assertThat(text.lines()).anyMatch((line) -> line.matches("Connection:\\s+disconnected"));
        assertThat(text.lines()).anyMatch((line) -> line.matches("Last error:\\s+kms aws encrypt .*unreachable"));
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(SampleAppClient.JSON.readTree(json.out()).path("connection").asString()).isEqualTo("disconnected");
    }

    @Test
    void testPrintsOneLinePerStepThenPass() {
        CliRun run = run("security", "kms", "test");

        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(run.lines()).hasSize(5);
        assertThat(run.lines().get(0)).isEqualTo(
                "Round trip of 32 random bytes on provider local with the default encryption key");
        // Envelope ciphertext of 32 bytes: 8-byte header, 60-byte wrapped data key, 12-byte IV, 32 bytes, 16-byte tag.
        assertThat(run.lines().get(1)).matches("encrypt: ok, 128 bytes of ciphertext in \\d+ ms \\(served by local\\)");
        assertThat(run.lines().get(2)).matches("decrypt: ok, 32 bytes in \\d+ ms \\(served by local\\)");
        assertThat(run.lines().get(3)).isEqualTo("compare: ok, the decrypted bytes equal the plaintext");
        assertThat(run.lines().get(4)).isEqualTo("PASS");
    }

    @Test
    void testJsonReportsPass() {
        CliRun run = run("security", "kms", "test", "--json");

        JsonNode result = SampleAppClient.JSON.readTree(run.out());
        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(result.path("result").asString()).isEqualTo("PASS");
        assertThat(result.path("provider").asString()).isEqualTo("local");
        assertThat(result.path("plaintextBytes").intValue()).isEqualTo(32);
        assertThat(result.path("ciphertextBytes").intValue()).isEqualTo(8 + 60 + 12 + 32 + 16);
        assertThat(result.path("error").isNull()).isTrue();
    }

    @Test
    void testFailsWhenDecryptFails() {
        CliRun run = run("security", "kms", "test", sources(UnavailableDecryptConfiguration.class));

        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(1);
        assertThat(run.lines().get(1)).startsWith("encrypt: ok");
        assertThat(run.lines().get(2)).matches("decrypt: failed after \\d+ ms: kms aws decrypt \\(key=\\): .*");
        assertThat(run.lines()).last().isEqualTo("FAIL");
    }

    @Test
    void testFailsWhenDecryptedBytesDiffer() {
        CliRun run = run("security", "kms", "test", sources(CorruptingDecryptConfiguration.class));

        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(1);
        assertThat(run.lines().get(2)).startsWith("decrypt: ok");
        assertThat(run.lines().get(3)).isEqualTo("compare: failed, the decrypted bytes differ from the plaintext");
        assertThat(run.lines()).last().isEqualTo("FAIL");
    }

    @Test
    void testJsonReportsFailWithError() {
        CliRun run = run("security", "kms", "test", "--json", sources(UnavailableDecryptConfiguration.class));

        JsonNode result = SampleAppClient.JSON.readTree(run.out());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(result.path("result").asString()).isEqualTo("FAIL");
        assertThat(result.path("error").asString()).startsWith("decrypt failed: kms aws decrypt");
    }

    @Test
    void keysPrintsColumnsAndOneRowPerKey() {
        CliRun run = run("security", "kms", "keys", "--security.kms.keys[0].name=orders",
                "--security.kms.keys[0].type=signing");

        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(run.lines()).hasSize(4);
        assertThat(run.lines().get(0)).matches("ID {36}NAME {5}TYPE {8}REMOTE KEY ID");
        assertThat(run.lines().get(1)).matches("[0-9a-f-]{36}  default  encryption  local:encryption\\.default");
        assertThat(run.lines().get(2)).matches("[0-9a-f-]{36}  default  signing     local:signing\\.default");
        assertThat(run.lines().get(3)).matches("[0-9a-f-]{36}  orders   signing     local:signing\\.orders");
    }

    @Test
    void keysJsonListsEveryKey() {
        CliRun run = run("security", "kms", "keys", "--json", "--security.kms.keys[0].name=orders");

        JsonNode keys = SampleAppClient.JSON.readTree(run.out()).path("keys");
        assertThat(run.exitCode()).as("exit code, stderr %s", run.err()).isEqualTo(0);
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.get(2).path("name").asString()).isEqualTo("orders");
        assertThat(keys.get(2).path("type").asString()).isEqualTo("ENCRYPTION");
        assertThat(keys.get(2).path("remoteKeyId").asString()).isEqualTo("local:encryption.orders");
        assertThat(keys.get(2).path("id").asString()).matches("[0-9a-f-]{36}");
    }

    @Test
    void keysWithEmptyRegistryPrintsClearLine() {
        CliRun text = run("security", "kms", "keys", sources(EmptyRegistryConfiguration.class));
        CliRun json = run("security", "kms", "keys", "--json", sources(EmptyRegistryConfiguration.class));

        assertThat(text.exitCode()).as("exit code, stderr %s", text.err()).isEqualTo(0);
        assertThat(text.lines()).containsExactly("No keys are configured: the key registry is empty.");
        assertThat(SampleAppClient.JSON.readTree(json.out()).path("keys").size()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = { "security kms bogus", "security kms", "security", "status", "security kms status extra",
            "security kms status --jsn", "--json" })
    void invalidCommandLinePrintsUsageAndExits2(String commandLine) {
        CliRun run = run(commandLine.split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: ").contains("Usage: java -jar lango-kms-sample-app.jar security kms");
    }

    @Test
    void missingCommandNamesTheChoices() {
        CliRun run = run("security", "kms");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: missing command after 'security kms': use status, test or keys");
    }

    @ParameterizedTest
    @ValueSource(strings = { "security kms --help", "security kms help", "-h" })
    void helpPrintsUsageToStdout(String commandLine) {
        CliRun run = run(commandLine.split(" "));

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).startsWith("Usage: java -jar lango-kms-sample-app.jar security kms <command>");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void invalidConfigurationExits1WithFailureAnalysis() {
        CliRun run = run("security", "kms", "status", "--json", "--security.kms.max-retries=-1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("security.kms.max-retries must be 0 or more, but was -1.")
            .contains("Set security.kms.max-retries to 0 to disable retries")
            .endsWith("error: the application failed to start, so 'security kms status' did not run; "
                    + "the report above names the cause." + System.lineSeparator());
    }

    @Test
    void isCommandIgnoresSpringOptions() {
        assertThat(KmsCommandLine.isCommand(new String[0])).isFalse();
        assertThat(KmsCommandLine.isCommand(new String[] { "--server.port=9090" })).isFalse();
        assertThat(KmsCommandLine.isCommand(new String[] { "security", "kms", "status" })).isTrue();
        assertThat(KmsCommandLine.isCommand(new String[] { "--help" })).isTrue();
    }

    private static String sources(Class<?> configuration) {
        return "--spring.main.sources=" + configuration.getName();
    }

    private static CliRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = KmsCommandLine.run(args,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Exit code and output of one command.
     */
    private record CliRun(int exitCode, String out, String err) {

        List<String> lines() {
            return this.out.lines().toList();
        }
    }

    /**
     * A {@link CryptoProvider} that encrypts by copying and fails or corrupts decrypt, as an AWS KMS would look
     * from the command.
     */
    private abstract static class BrokenProvider implements CryptoProvider {

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            return Arrays.copyOf(plaintext, plaintext.length);
        }

        @Override
        public byte[] sign(String keyId, byte[] payload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean verify(String keyId, byte[] payload, byte[] signature) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PublicKey publicKey(String keyId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KmsProviderName providerName() {
            return KmsProviderName.AWS_KMS;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class UnavailableDecryptConfiguration {

        @Bean
        CryptoProvider unavailableDecryptProvider() {
            return new BrokenProvider() {

                @Override
                public byte[] decrypt(String keyId, byte[] ciphertext) {
                    throw new KmsException(KmsProviderName.AWS_KMS, KmsOperations.DECRYPT, keyId,
                            KmsErrorKind.UNAVAILABLE, "connection refused");
                }
            };
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class CorruptingDecryptConfiguration {

        @Bean
        CryptoProvider corruptingDecryptProvider() {
            return new BrokenProvider() {

                @Override
                public byte[] decrypt(String keyId, byte[] ciphertext) {
                    byte[] plaintext = Arrays.copyOf(ciphertext, ciphertext.length);
                    plaintext[0] ^= 1;
                    return plaintext;
                }
            };
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class UnreachableKmsConfiguration {

        @Bean
        KmsHealthChecker unreachableHealthChecker() {
            CryptoProvider unreachable = new BrokenProvider() {

                @Override
                public byte[] encrypt(String keyId, byte[] plaintext) {
                    throw new KmsException(KmsProviderName.AWS_KMS, KmsOperations.ENCRYPT, keyId,
                            KmsErrorKind.UNAVAILABLE, "endpoint unreachable");
                }

                @Override
                public byte[] decrypt(String keyId, byte[] ciphertext) {
                    throw new UnsupportedOperationException();
                }
            };
            return new KmsHealthChecker(unreachable, Duration.ofSeconds(30), Duration.ofSeconds(5));
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class EmptyRegistryConfiguration {

        @Bean
        KeyRegistry emptyKeyRegistry() {
            return List::of;
        }
    }
}
