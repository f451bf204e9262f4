package io.lango.kms.sample.cli;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.springframework.context.ApplicationContext;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;
import io.lango.kms.actuate.KmsDiagnostics;
import io.lango.kms.actuate.KmsKeys;
import io.lango.kms.actuate.KmsStatus;
import io.lango.kms.actuate.RoundTripResult;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.registry.KeyDescriptor;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code status}, {@code test} and {@code keys} commands, run against a started application context.
 */
final class KmsCommands {

    static final List<String> NAMES = List.of("status", "test", "keys");

    private static final String NOT_SET = "(not set)";

    private final ApplicationContext context;

    private final PrintStream out;

    private final boolean json;

    KmsCommands(ApplicationContext context, PrintStream out, boolean json) {
        this.context = Objects.requireNonNull(context, "context");
        this.out = Objects.requireNonNull(out, "out");
        this.json = json;
    }

    /**
     * Runs the command named {@code name} and returns its exit code.
     */
    int run(String name) {
        KmsDiagnostics diagnostics = this.context.getBeanProvider(KmsDiagnostics.class).getIfAvailable();
        if (diagnostics == null) {
            throw new IllegalStateException(
                    "the Lango KMS beans are missing; remove security.kms.enabled=false to create them");
        }
        return switch (name) {
            case "status" -> status(diagnostics);
            case "test" -> test();
            case "keys" -> keys(diagnostics);
            default -> throw new IllegalArgumentException("unknown command " + name);
        };
    }

    private int status(KmsDiagnostics diagnostics) {
        KmsStatus status = diagnostics.status();
        boolean connected = "connected".equals(status.connection());
        if (this.json) {
            printJson(status);
        }
        else {
            printStatus(status, connected);
        }
        // The same rule as the kms health indicator: only an unreachable KMS without fallback is DOWN.
        return (connected || status.fallbackEnabled()) ? KmsCommandLine.EXIT_OK : KmsCommandLine.EXIT_FAILURE;
    }

    private void printStatus(KmsStatus status, boolean connected) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("Provider:", status.provider()));
        rows.add(row("Key ID:", orDefault(status.keyId())));
        rows.add(row("Signing key ID:", orDefault(status.signingKeyId())));
        rows.add(row("Region:", (status.region() != null) ? status.region() : NOT_SET));
        rows.add(row("Fallback:", status.fallbackEnabled() ? "enabled (local keys)" : "disabled"));
        String serving = (!connected && status.fallbackEnabled()) ? ", encrypt and sign use local keys" : "";
        rows.add(row("Connection:", status.connection() + serving));
        rows.add(row("Last probe:", String.valueOf(status.lastProbe())));
        if (status.lastError() != null) {
            rows.add(row("Last error:", status.lastError()));
        }
        rows.add(row("Fallback operations:", Long.toString(status.fallbackOperations())));
        TextTable.print(this.out, rows);
    }

    /**
     * Encrypts and decrypts random bytes with the default key, printing each step as it finishes, so a step that
     * hangs is visible.
     */
    private int test() {
        CryptoProvider cryptoProvider = this.context.getBean(CryptoProvider.class);
        RoundTrip roundTrip = new RoundTrip(cryptoProvider, this.json ? null : this.out);
        RoundTripResult result = roundTrip.run();
        if (this.json) {
            printJson(result);
        }
        else {
            this.out.println(result.passed() ? RoundTripResult.PASS : RoundTripResult.FAIL);
        }
        return result.passed() ? KmsCommandLine.EXIT_OK : KmsCommandLine.EXIT_FAILURE;
    }

    private int keys(KmsDiagnostics diagnostics) {
        KmsKeys keys = diagnostics.keys();
        if (this.json) {
            printJson(keys);
            return KmsCommandLine.EXIT_OK;
        }
        if (keys.keys().isEmpty()) {
            this.out.println("No keys are configured: the key registry is empty.");
            return KmsCommandLine.EXIT_OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(row("ID", "NAME", "TYPE", "REMOTE KEY ID"));
        for (KeyDescriptor key : keys.keys()) {
            rows.add(row(key.id(), key.name(), key.type().name().toLowerCase(Locale.ROOT),
                    (key.remoteKeyId() != null) ? key.remoteKeyId() : "-"));
        }
        TextTable.print(this.out, rows);
        return KmsCommandLine.EXIT_OK;
    }

    private void printJson(Object value) {
        JsonMapper mapper = this.context.getBeanProvider(JsonMapper.class).getIfAvailable(JsonMapper::new);
        this.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    private static String orDefault(String keyId) {
        return CryptoProvider.isDefaultKeyId(keyId) ? "(default)" : keyId;
    }

    private static String[] row(String... cells) {
        return cells;
    }

    /**
     * One round trip of {@value KmsDiagnostics#ROUND_TRIP_BYTES} random bytes; when {@code steps} is not null, it
     * prints one line per step to it.
     */
    private static final class RoundTrip {

        private final CryptoProvider cryptoProvider;

        private final PrintStream steps;

        private final byte[] plaintext = new byte[KmsDiagnostics.ROUND_TRIP_BYTES];

        private int ciphertextBytes;

        private long encryptMillis;

        private long decryptMillis;

        RoundTrip(CryptoProvider cryptoProvider, PrintStream steps) {
            this.cryptoProvider = cryptoProvider;
            this.steps = steps;
            new SecureRandom().nextBytes(this.plaintext);
        }

        RoundTripResult run() {
            step("Round trip of %d random bytes on provider %s with the default encryption key".formatted(
                    this.plaintext.length, this.cryptoProvider.providerName().configName()));
            long started = System.nanoTime();
            byte[] ciphertext;
            try {
                ciphertext = this.cryptoProvider.encrypt("", this.plaintext);
            }
            catch (RuntimeException ex) {
                this.encryptMillis = elapsedMillis(started);
                return failed("encrypt", this.encryptMillis, ex);
            }
            this.encryptMillis = elapsedMillis(started);
            this.ciphertextBytes = ciphertext.length;
            step("encrypt: ok, %d bytes of ciphertext in %d ms%s".formatted(ciphertext.length, this.encryptMillis,
                    servedBy()));

            long decryptStarted = System.nanoTime();
            byte[] decrypted;
            try {
                decrypted = this.cryptoProvider.decrypt("", ciphertext);
            }
            catch (RuntimeException ex) {
                this.decryptMillis = elapsedMillis(decryptStarted);
                return failed("decrypt", this.decryptMillis, ex);
            }
            this.decryptMillis = elapsedMillis(decryptStarted);
            step("decrypt: ok, %d bytes in %d ms%s".formatted(decrypted.length, this.decryptMillis, servedBy()));

            if (!Arrays.equals(this.plaintext, decrypted)) {
                step("compare: failed, the decrypted bytes differ from the plaintext");
                return result(RoundTripResult.FAIL, "decrypted bytes differ from the plaintext");
            }
            step("compare: ok, the decrypted bytes equal the plaintext");
            return result(RoundTripResult.PASS, null);
        }

        private RoundTripResult failed(String operation, long millis, RuntimeException ex) {
            String message = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getName();
            step("%s: failed after %d ms: %s".formatted(operation, millis, message));
            return result(RoundTripResult.FAIL, operation + " failed: " + message);
        }

        private RoundTripResult result(String outcome, String error) {
            return new RoundTripResult(outcome, servedByName(), this.plaintext.length, this.ciphertextBytes,
                    this.encryptMillis, this.decryptMillis, error);
        }

        private String servedBy() {
            KmsProviderName provider = lastServedBy();
            return (provider != null) ? " (served by " + provider.configName() + ")" : "";
        }

        private String servedByName() {
            KmsProviderName provider = lastServedBy();
            return (provider != null) ? provider.configName() : this.cryptoProvider.providerName().configName();
        }

        private KmsProviderName lastServedBy() {
            return (this.cryptoProvider instanceof CompositeCryptoProvider composite) ? composite.lastServedBy()
                    : null;
        }

        private void step(String line) {
            if (this.steps != null) {
                this.steps.println(line);
            }
        }

        private static long elapsedMillis(long startedNanos) {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }
    }
}
