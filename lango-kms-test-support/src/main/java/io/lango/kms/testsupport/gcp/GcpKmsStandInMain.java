package io.lango.kms.testsupport.gcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Runs the Cloud KMS stand-in as a process, for local runs of the sample app with the {@code gcp} profile.
 *
 * <p>Usage: {@code GcpKmsStandInMain [--port N] [--port-file PATH] [--encryption-key NAME] [--signing-key NAME]}.
 * It listens on 127.0.0.1 (port {@value #DEFAULT_PORT} unless given; 0 picks a free port), creates the two keys,
 * prints the endpoint and key names, writes the port to {@code --port-file} once it listens, and runs until it is
 * stopped. Keys live in memory, so ciphertext does not survive a restart.
 */
public final class GcpKmsStandInMain {

    /** Port used when {@code --port} is not given; the sample app's gcp profile expects it. */
    public static final int DEFAULT_PORT = 9085;

    /** CryptoKey created for encryption unless {@code --encryption-key} names another one. */
    public static final String DEFAULT_ENCRYPTION_KEY =
            "projects/lango-local/locations/global/keyRings/lango/cryptoKeys/app-encryption";

    /** CryptoKey created for signing unless {@code --signing-key} names another one; version 1 signs. */
    public static final String DEFAULT_SIGNING_KEY =
            "projects/lango-local/locations/global/keyRings/lango/cryptoKeys/app-signing";

    private static final String USAGE = "Usage: GcpKmsStandInMain [--port N] [--port-file PATH] "
            + "[--encryption-key CRYPTO_KEY_NAME] [--signing-key CRYPTO_KEY_NAME]";

    private GcpKmsStandInMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options;
        try {
            options = Options.parse(List.of(args));
        }
        catch (IllegalArgumentException ex) {
            System.err.println("error: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        GcpKmsStandIn standIn = GcpKmsStandIn.start(options.port);
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close, "gcp-kms-stand-in-shutdown"));
        String encryptionKey;
        String signingVersion;
        try {
            encryptionKey = standIn.createEncryptionKey(options.encryptionKey);
            signingVersion = standIn.createSigningKey(options.signingKey);
        }
        catch (IllegalArgumentException ex) {
            System.err.println("error: " + ex.getMessage());
            System.exit(2);
            return;
        }

        System.out.println("Cloud KMS stand-in listening on " + standIn.address());
        System.out.println("security.kms.endpoint=" + standIn.endpoint());
        System.out.println("security.kms.key-id=" + encryptionKey);
        System.out.println("security.kms.signing-key-id=" + signingVersion);
        if (options.portFile != null) {
            writePortFile(options.portFile, standIn.port());
        }
        standIn.awaitTermination();
    }

    /**
     * Writes the port through a temporary file and a rename, so a reader never sees a partial file.
     */
    private static void writePortFile(Path portFile, int port) throws IOException {
        Path absolute = portFile.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(temporary, Integer.toString(port), StandardCharsets.US_ASCII);
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Parsed command line.
     */
    private static final class Options {

        private int port = DEFAULT_PORT;

        private Path portFile;

        private String encryptionKey = DEFAULT_ENCRYPTION_KEY;

        private String signingKey = DEFAULT_SIGNING_KEY;

        static Options parse(List<String> args) {
            Options options = new Options();
            Deque<String> remaining = new ArrayDeque<>(args);
            while (!remaining.isEmpty()) {
                String option = remaining.pop();
                switch (option) {
                    case "--port" -> options.port = parsePort(value(option, remaining));
                    case "--port-file" -> options.portFile = Path.of(value(option, remaining));
                    case "--encryption-key" -> options.encryptionKey = value(option, remaining);
                    case "--signing-key" -> options.signingKey = value(option, remaining);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            return options;
        }

        private static String value(String option, Deque<String> remaining) {
            if (remaining.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return remaining.pop();
        }

        private static int parsePort(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("--port must be 0 to 65535, but was " + value);
                }
                return port;
            }
            catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--port must be a number, but was " + value, ex);
            }
        }
    }
}
