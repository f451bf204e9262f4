package io.lango.kms.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Key store of the local fallback for the backend profile tests: fallback to local keys needs one, so the tests give
 * each run a fresh file in a temporary directory.
 */
final class FallbackKeyStore {

    static final String PASSWORD = "test-fallback-password";

    private FallbackKeyStore() {
    }

    /**
     * Returns a path in a new temporary directory; the key store is created there on first start.
     */
    static Path newPath() {
        try {
            Path directory = Files.createTempDirectory("lango-kms-fallback-");
            directory.toFile().deleteOnExit();
            return directory.resolve("fallback.p12");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Adds the key store path and password to a Spring test's properties.
     */
    static void register(DynamicPropertyRegistry registry) {
        Path path = newPath();
        registry.add("security.kms.local.key-store", path::toString);
        registry.add("security.kms.local.key-store-password", () -> PASSWORD);
    }

    /**
     * Returns the key store path and password as command-line arguments.
     */
    static String[] arguments() {
        return new String[] { "--security.kms.local.key-store=" + newPath(),
                "--security.kms.local.key-store-password=" + PASSWORD };
    }
}
