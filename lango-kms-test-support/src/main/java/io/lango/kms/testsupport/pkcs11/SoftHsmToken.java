package io.lango.kms.testsupport.pkcs11;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SoftHSM2 token in a private temporary directory, with an AES-256 key and an EC P-256 key pair provisioned by
 * label.
 *
 * <p>{@link #create(Path)} writes the SoftHSM2 configuration file at the given path (the one that the JVM's
 * {@code SOFTHSM2_CONF} names), initialises the token with {@code softhsm2-util}, and provisions the keys with
 * {@code keytool -storetype PKCS11}, which stores the EC key pair with a self-signed certificate of the same
 * {@code CKA_ID}. The user PIN and the security officer PIN are random per token. {@link #close()} deletes the
 * token directory and the configuration file.
 */
public final class SoftHsmToken implements AutoCloseable {

    /** Label of the provisioned AES-256 key. */
    public static final String AES_KEY_LABEL = "lango-aes";

    /** Label of the provisioned EC P-256 key pair and its certificate. */
    public static final String EC_KEY_LABEL = "lango-signing";

    /** Label of the token itself. */
    public static final String TOKEN_LABEL = "lango-kms-test";

    /** First line of every configuration file written here, so that no other file is ever overwritten. */
    static final String CONFIG_MARKER = "# Written by io.lango.kms.testsupport.pkcs11.SoftHsmToken; deleted after the tests.";

    private static final List<String> MODULE_LOCATIONS = List.of("/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so", "/opt/homebrew/lib/softhsm/libsofthsm2.so");

    private static final Pattern ASSIGNED_SLOT = Pattern.compile("reassigned to slot (\\d+)");

    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private static final Logger logger = LoggerFactory.getLogger(SoftHsmToken.class);

    private final Path directory;

    private final Path configFile;

    private final String modulePath;

    private final long slotId;

    private final String userPin;

    private SoftHsmToken(Path directory, Path configFile, String modulePath, long slotId, String userPin) {
        this.directory = directory;
        this.configFile = configFile;
        this.modulePath = modulePath;
        this.slotId = slotId;
        this.userPin = userPin;
    }

    /**
     * Creates a token whose SoftHSM2 configuration file is {@code configFile}, and provisions
     * {@link #AES_KEY_LABEL} and {@link #EC_KEY_LABEL}.
     *
     * @throws IllegalStateException when SoftHSM2 is not installed, {@code configFile} exists but was not written
     * here, or a command fails
     */
    public static SoftHsmToken create(Path configFile) {
        String modulePath = findModule();
        requireNotForeign(configFile);
        Path directory = createPrivateDirectory();
        try {
            Path tokens = Files.createDirectory(directory.resolve("tokens"));
            writeConfig(configFile, tokens);
            String userPin = randomPin();
            long slotId = initToken(configFile, userPin, randomPin());
            SoftHsmToken token = new SoftHsmToken(directory, configFile, modulePath, slotId, userPin);
            token.generateAesKey(AES_KEY_LABEL, 256);
            token.generateEcKeyPair(EC_KEY_LABEL, "secp256r1");
            return token;
        }
        catch (IOException | RuntimeException ex) {
            deleteQuietly(directory, configFile);
            throw (ex instanceof RuntimeException runtime) ? runtime : new UncheckedIOException((IOException) ex);
        }
    }

    /**
     * Returns the path of the SoftHSM2 PKCS#11 module.
     */
    public String modulePath() {
        return this.modulePath;
    }

    /**
     * Returns the slot id that SoftHSM2 assigned to the token.
     */
    public long slotId() {
        return this.slotId;
    }

    /**
     * Returns the user PIN.
     */
    public String userPin() {
        return this.userPin;
    }

    /**
     * Returns the private directory that contains the token files.
     */
    public Path directory() {
        return this.directory;
    }

    /**
     * Returns the SoftHSM2 configuration file, which names the token directory.
     */
    public Path configFile() {
        return this.configFile;
    }

    /**
     * Returns the {@code security.kms} properties that select this token and its provisioned keys, PIN included.
     */
    public Map<String, String> springProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("security.kms.provider", "pkcs11");
        properties.put("security.kms.pkcs11.module-path", this.modulePath);
        properties.put("security.kms.pkcs11.slot-id", Long.toString(this.slotId));
        properties.put("security.kms.pkcs11.pin", this.userPin);
        properties.put("security.kms.pkcs11.key-label", AES_KEY_LABEL);
        properties.put("security.kms.pkcs11.signing-key-label", EC_KEY_LABEL);
        return properties;
    }

    /**
     * Returns an inline SunPKCS11 configuration for this token's slot, for
     * {@code Security.getProvider("SunPKCS11").configure(...)}.
     */
    public String sunPkcs11Configuration(String name) {
        return "--name = %s%nlibrary = \"%s\"%nslot = %d%n".formatted(name, this.modulePath, this.slotId);
    }

    /**
     * Generates an AES key of {@code bits} bits with the label on the token.
     */
    public void generateAesKey(String label, int bits) {
        runKeytool(List.of("-genseckey", "-alias", label, "-keyalg", "AES", "-keysize", Integer.toString(bits)));
    }

    /**
     * Generates an EC key pair on the named curve (for example {@code secp384r1}) with a self-signed certificate,
     * both with the label.
     */
    public void generateEcKeyPair(String label, String curve) {
        runKeytool(List.of("-genkeypair", "-alias", label, "-keyalg", "EC", "-groupname", curve, "-dname",
                "CN=" + label, "-validity", "3650"));
    }

    /**
     * Generates an RSA key pair with a self-signed certificate, both with the label.
     */
    public void generateRsaKeyPair(String label, int bits) {
        runKeytool(List.of("-genkeypair", "-alias", label, "-keyalg", "RSA", "-keysize", Integer.toString(bits),
                "-dname", "CN=" + label, "-validity", "3650"));
    }

    /**
     * Deletes the key, key pair or certificate with the label from the token.
     */
    public void deleteEntry(String label) {
        runKeytool(List.of("-delete", "-alias", label));
    }

    /**
     * Deletes the token directory and the configuration file.
     */
    @Override
    public void close() {
        deleteQuietly(this.directory, this.configFile);
    }

    private void runKeytool(List<String> arguments) {
        Path providerConfig = this.directory.resolve("keytool-sunpkcs11.cfg");
        try {
            Files.writeString(providerConfig, sunPkcs11Configuration("softhsm-provisioning").substring(2));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        // The PIN goes through the environment, so it never appears in a process listing.
        command.addAll(List.of("-keystore", "NONE", "-storetype", "PKCS11", "-providerClass",
                "sun.security.pkcs11.SunPKCS11", "-providerArg", providerConfig.toString(), "-storepass:env",
                "SOFTHSM_TOKEN_PIN"));
        run(command, Map.of("SOFTHSM2_CONF", this.configFile.toString(), "SOFTHSM_TOKEN_PIN", this.userPin));
    }

    private static long initToken(Path configFile, String userPin, String soPin) {
        // softhsm2-util reads PINs only from its arguments or a terminal; the token and its PINs are disposable.
        String output = run(List.of("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin",
                userPin, "--so-pin", soPin), Map.of("SOFTHSM2_CONF", configFile.toString()));
        Matcher slot = ASSIGNED_SLOT.matcher(output);
        if (!slot.find()) {
            throw new IllegalStateException("softhsm2-util --init-token printed no slot id: " + output);
        }
        return Long.parseLong(slot.group(1));
    }

    private static String run(List<String> command, Map<String, String> environment) {
        String commandLine = String.join(" ", masked(command));
        Path output = null;
        try {
            output = Files.createTempFile("lango-softhsm-command-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out after %d s: %s".formatted(COMMAND_TIMEOUT_SECONDS, commandLine));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Command failed with exit code %d: %s%n%s"
                    .formatted(process.exitValue(), commandLine, text));
            }
            return text;
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not run %s: %s; install SoftHSM2 (for example apt-get install softhsm2)"
                .formatted(commandLine, ex.getMessage()), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + commandLine, ex);
        }
        finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    private static List<String> masked(List<String> command) {
        List<String> maskedCommand = new ArrayList<>(command);
        for (int index = 1; index < maskedCommand.size(); index++) {
            String option = maskedCommand.get(index - 1);
            if (option.equals("--pin") || option.equals("--so-pin")) {
                maskedCommand.set(index, "****");
            }
        }
        return maskedCommand;
    }

    private static String findModule() {
        return MODULE_LOCATIONS.stream()
            .filter((location) -> Files.isRegularFile(Path.of(location)))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("SoftHSM2's PKCS#11 module was not found in any of "
                    + MODULE_LOCATIONS + "; install SoftHSM2 (for example apt-get install softhsm2)"));
    }

    private static void requireNotForeign(Path configFile) {
        if (!Files.exists(configFile)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(configFile);
            if (lines.isEmpty() || !lines.get(0).equals(CONFIG_MARKER)) {
                throw new IllegalStateException(("SOFTHSM2_CONF names %s, which was not written by the test support; "
                        + "point SOFTHSM2_CONF at a path under the build directory so that no real SoftHSM2 "
                        + "configuration is overwritten").formatted(configFile));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path createPrivateDirectory() {
        try {
            return Files.createTempDirectory("lango-softhsm-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (UnsupportedOperationException ex) {
            try {
                return Files.createTempDirectory("lango-softhsm-");
            }
            catch (IOException ioException) {
                throw new UncheckedIOException(ioException);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void writeConfig(Path configFile, Path tokens) throws IOException {
        if (configFile.getParent() != null) {
            Files.createDirectories(configFile.getParent());
        }
        Files.writeString(configFile, String.join("\n", CONFIG_MARKER, "directories.tokendir = " + tokens,
                "objectstore.backend = file", "log.level = ERROR", "slots.removable = false", ""));
    }

    private static String randomPin() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void deleteQuietly(Path directory, Path configFile) {
        try {
            Files.deleteIfExists(configFile);
            if (Files.exists(directory)) {
                Files.walkFileTree(directory, new SimpleFileVisitor<>() {

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException error) throws IOException {
                        Files.delete(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
        }
        catch (IOException ex) {
            logger.warn("Could not delete the SoftHSM2 test token in {}: {}", directory, ex.toString());
        }
    }
}
