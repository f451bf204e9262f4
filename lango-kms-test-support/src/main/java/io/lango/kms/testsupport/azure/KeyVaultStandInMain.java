package io.lango.kms.testsupport.azure;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link KeyVaultStandIn} as a standalone process until it is stopped, for local runs of the sample app.
 *
 * <pre>
 * java -cp &lt;class path&gt; io.lango.kms.testsupport.azure.KeyVaultStandInMain \
 *     --port 8443 --key lango-encryption --signing-key lango-signing \
 *     --trust-store target/key-vault-stand-in.p12 --trust-store-password changeit
 * </pre>
 *
 * <p>It prints the vault URL and the full identifier of each key it created, then serves until the process gets
 * SIGINT or SIGTERM.
 */
public final class KeyVaultStandInMain {

    private static final String USAGE = """
            Usage: KeyVaultStandInMain [options]
              --port N                   port on 127.0.0.1 (default 8443; 0 picks a free port)
              --key NAME                 create an RSA-2048 encryption key (repeatable; default lango-encryption)
              --signing-key NAME         create an EC P-256 signing key (repeatable; default lango-signing)
              --trust-store PATH         write a PKCS12 trust store holding the TLS certificate
              --trust-store-password PW  password of that trust store (default changeit)
              --certificate PATH         write the TLS certificate in PEM form
              --token TOKEN              accept only this bearer token (default: any non-empty token)
            """;

    private KeyVaultStandInMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (IllegalArgumentException ex) {
            System.err.println("error: " + ex.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(USAGE);
            return;
        }
        run(options, System.out);
    }

    private static void run(Options options, PrintStream out) throws IOException, InterruptedException {
        KeyVaultStandIn standIn = KeyVaultStandIn.start(options.port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standIn.close();
            stopped.countDown();
        }, "key-vault-stand-in-shutdown"));
        try {
            prepare(standIn, options, out);
        }
        catch (IOException | RuntimeException ex) {
            // The server thread would keep the JVM alive, so stop it before reporting the failure.
            standIn.close();
            throw ex;
        }
        stopped.await();
    }

    private static void prepare(KeyVaultStandIn standIn, Options options, PrintStream out) throws IOException {
        standIn.requireToken(options.token);
        if (options.trustStore != null) {
            createParentDirectories(options.trustStore);
            standIn.writeTrustStore(options.trustStore, options.trustStorePassword.toCharArray());
        }
        if (options.certificate != null) {
            createParentDirectories(options.certificate);
            standIn.writeCertificatePem(options.certificate);
        }
        out.println("Key Vault stand-in listening on " + standIn.vaultUrl());
        for (String name : options.keys) {
            out.println("RSA encryption key: " + standIn.createRsaKey(name, 2048));
        }
        for (String name : options.signingKeys) {
            out.println("EC P-256 signing key: " + standIn.createEcKey(name, "P-256"));
        }
        if (options.trustStore != null) {
            out.println("Trust store: " + options.trustStore.toAbsolutePath());
        }
        out.flush();
    }

    private static void createParentDirectories(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /**
     * Command-line options.
     */
    private static final class Options {

        private int port = 8443;

        private final List<String> keys = new ArrayList<>();

        private final List<String> signingKeys = new ArrayList<>();

        private Path trustStore;

        private String trustStorePassword = "changeit";

        private Path certificate;

        private String token;

        private boolean help;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (name.equals("--help") || name.equals("-h")) {
                    options.help = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + name + " needs a value");
                }
                options.set(name, args[++i]);
            }
            if (options.keys.isEmpty()) {
                options.keys.add("lango-encryption");
            }
            if (options.signingKeys.isEmpty()) {
                options.signingKeys.add("lango-signing");
            }
            return options;
        }

        private void set(String name, String value) {
            switch (name) {
                case "--port" -> this.port = parsePort(value);
                case "--key" -> this.keys.add(value);
                case "--signing-key" -> this.signingKeys.add(value);
                case "--trust-store" -> this.trustStore = Path.of(value);
                case "--trust-store-password" -> this.trustStorePassword = value;
                case "--certificate" -> this.certificate = Path.of(value);
                case "--token" -> this.token = value;
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }

        private static int parsePort(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("--port must be between 0 and 65535, but was " + value);
                }
                return port;
            }
            catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--port must be a number, but was " + value);
            }
        }
    }
}
