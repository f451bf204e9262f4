package io.lango.kms.testsupport.azure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import tools.jackson.databind.JsonNode;

/**
 * HTTPS stand-in for the Azure Key Vault keys REST API, for tests and local runs of the sample app.
 *
 * <p>It binds to 127.0.0.1 only, presents a self-signed certificate made at start (subject alternative names
 * {@code 127.0.0.1} and {@code localhost}), and returns the 401 challenge that Key Vault clients expect for
 * every request without a bearer token. Keys are real RSA and EC key pairs: encrypt, decrypt, wrap, unwrap, sign
 * and verify run real JCA crypto, and disabled, expired and not-yet-valid keys are rejected with Key Vault's error
 * codes. Tests can queue error responses and delays for the next requests of an operation and count the requests
 * that arrived.
 */
public final class KeyVaultStandIn implements AutoCloseable {

    /** Tenant named in the bearer challenge. */
    public static final String TENANT_ID = "00000000-0000-0000-0000-000000000000";

    /** Resource named in the bearer challenge; clients request a token for {@code RESOURCE + "/.default"}. */
    public static final String RESOURCE = "https://vault.azure.net";

    private static final int HANDLER_THREADS = 8;

    static {
        // The JDK's HTTP server writes response headers and body separately. Without TCP_NODELAY, Nagle's algorithm
        // and the client's delayed ACK added about 45 ms to each response in this project's tests. The server reads
        // the property once, when its first instance in the JVM starts, so it has no effect after that.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final StandInCertificate certificate;

    private final HttpsServer server;

    private final ExecutorService executor;

    private final String vaultUrl;

    private final Map<String, List<StandInKey>> keys = new ConcurrentHashMap<>();

    private final KeyVaultFaults faults = new KeyVaultFaults();

    private final Map<KeyVaultOperation, AtomicInteger> requestCounts = new EnumMap<>(KeyVaultOperation.class);

    private final AtomicInteger challengeCount = new AtomicInteger();

    private volatile String requiredToken;

    private KeyVaultStandIn(int port) throws IOException {
        for (KeyVaultOperation operation : KeyVaultOperation.values()) {
            this.requestCounts.put(operation, new AtomicInteger());
        }
        this.certificate = StandInCertificate.create();
        this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        try {
            this.server.setHttpsConfigurator(new HttpsConfigurator(this.certificate.serverContext()));
        }
        catch (GeneralSecurityException ex) {
            throw new IOException("Could not set up TLS for the Key Vault stand-in", ex);
        }
        this.executor = Executors.newFixedThreadPool(HANDLER_THREADS, (runnable) -> {
            Thread thread = new Thread(runnable, "key-vault-stand-in");
            thread.setDaemon(true);
            return thread;
        });
        this.server.setExecutor(this.executor);
        this.server.createContext("/", new KeyVaultHandler(this));
        this.server.start();
        this.vaultUrl = "https://127.0.0.1:" + this.server.getAddress().getPort();
    }

    /**
     * Starts a stand-in on a free port of 127.0.0.1.
     */
    public static KeyVaultStandIn start() throws IOException {
        return start(0);
    }

    /**
     * Starts a stand-in on {@code port} of 127.0.0.1, or on a free port when {@code port} is 0.
     */
    public static KeyVaultStandIn start(int port) throws IOException {
        return new KeyVaultStandIn(port);
    }

    /**
     * Returns the vault URL, {@code https://127.0.0.1:<port>}, without a trailing slash.
     */
    public String vaultUrl() {
        return this.vaultUrl;
    }

    public int port() {
        return this.server.getAddress().getPort();
    }

    /**
     * Returns the self-signed TLS certificate that clients must trust.
     */
    public X509Certificate certificate() {
        return this.certificate.certificate();
    }

    /**
     * Returns a trust manager factory that trusts the stand-in's certificate and nothing else.
     */
    public TrustManagerFactory trustManagerFactory() {
        try {
            return this.certificate.trustManagerFactory();
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("Could not build a trust manager for the stand-in's certificate", ex);
        }
    }

    /**
     * Returns a client TLS context that trusts the stand-in's certificate and nothing else.
     */
    public SSLContext clientSslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagerFactory().getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Could not build a client TLS context for the stand-in", ex);
        }
    }

    /**
     * Writes a PKCS12 trust store holding the stand-in's certificate, for {@code -Djavax.net.ssl.trustStore}.
     */
    public void writeTrustStore(Path path, char[] password) throws IOException {
        try {
            this.certificate.writeTrustStore(path, password);
        }
        catch (GeneralSecurityException ex) {
            throw new IOException("Could not write the trust store " + path, ex);
        }
    }

    /**
     * Writes the stand-in's certificate in PEM form.
     */
    public void writeCertificatePem(Path path) throws IOException {
        try {
            this.certificate.writePem(path);
        }
        catch (GeneralSecurityException ex) {
            throw new IOException("Could not write the certificate " + path, ex);
        }
    }

    /**
     * Accepts only requests whose bearer token equals {@code token}; null accepts any non-empty token.
     */
    public void requireToken(String token) {
        this.requiredToken = token;
    }

    /**
     * Creates a new version of the RSA key {@code name} and returns its full key identifier.
     */
    public String createRsaKey(String name, int bits) {
        KeyPair keyPair = generate("RSA", new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4));
        return keyId(addVersion(name, "RSA", null, keyPair,
                List.of("encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify")));
    }

    /**
     * Creates a new version of the EC key {@code name} on {@code curve} ({@code P-256}, {@code P-384} or
     * {@code P-521}) and returns its full key identifier.
     */
    public String createEcKey(String name, String curve) {
        KeyPair keyPair = generate("EC", new ECGenParameterSpec(jcaCurveName(curve)));
        return keyId(addVersion(name, "EC", curve, keyPair, List.of("sign", "verify")));
    }

    /**
     * Returns the full identifier of the current version of key {@code name}.
     */
    public String currentKeyId(String name) {
        return keyId(findKey(name, ""));
    }

    /**
     * Enables or disables the current version of key {@code name}.
     */
    public void setEnabled(String name, boolean enabled) {
        findKey(name, "").update(enabled, null, null);
    }

    /**
     * Sets the expiry time of the current version of key {@code name}.
     */
    public void setExpiresOn(String name, Instant expiresOn) {
        findKey(name, "").update(null, null, Objects.requireNonNull(expiresOn, "expiresOn"));
    }

    /**
     * Sets the time before which the current version of key {@code name} cannot be used.
     */
    public void setNotBefore(String name, Instant notBefore) {
        findKey(name, "").update(null, Objects.requireNonNull(notBefore, "notBefore"), null);
    }

    /**
     * Answers the next {@code times} requests of {@code operation} with HTTP {@code status} and the Key Vault error
     * {@code code}; {@code innerCode} (for example {@code KeyDisabled}) may be null.
     */
    public void failNext(KeyVaultOperation operation, int times, int status, String code, String innerCode) {
        this.faults.add(operation, times,
                new KeyVaultError(status, code, innerCode, "Fault injected by the Key Vault stand-in."), null);
    }

    /**
     * Waits {@code delay} before responding to each of the next {@code times} requests of {@code operation}.
     */
    public void delayNext(KeyVaultOperation operation, int times, Duration delay) {
        this.faults.add(operation, times, null, Objects.requireNonNull(delay, "delay"));
    }

    /**
     * Returns how many authorized requests of {@code operation} arrived, including those that got a fault response.
     */
    public int requestCount(KeyVaultOperation operation) {
        if (operation == KeyVaultOperation.ANY) {
            return this.requestCounts.values().stream().mapToInt(AtomicInteger::get).sum();
        }
        return this.requestCounts.get(operation).get();
    }

    /**
     * Returns how many requests got the 401 bearer challenge.
     */
    public int challengeCount() {
        return this.challengeCount.get();
    }

    /**
     * Drops queued faults and sets every request count to zero; keys stay.
     */
    public void reset() {
        this.faults.clear();
        this.requestCounts.values().forEach((count) -> count.set(0));
        this.challengeCount.set(0);
    }

    /**
     * Stops the server and its handler threads.
     */
    @Override
    public void close() {
        this.server.stop(0);
        this.executor.shutdownNow();
    }

    KeyVaultFaults faults() {
        return this.faults;
    }

    String requiredToken() {
        return this.requiredToken;
    }

    void recordRequest(KeyVaultOperation operation) {
        this.requestCounts.get(operation).incrementAndGet();
    }

    void recordChallenge() {
        this.challengeCount.incrementAndGet();
    }

    String keyId(StandInKey key) {
        return this.vaultUrl + "/keys/" + key.name() + "/" + key.version();
    }

    StandInKey findKey(String name, String version) {
        List<StandInKey> versions = this.keys.get(name);
        if (versions == null) {
            throw KeyVaultError.keyNotFound(name, version);
        }
        synchronized (versions) {
            if (version.isEmpty()) {
                return versions.get(versions.size() - 1);
            }
            return versions.stream()
                .filter((key) -> key.version().equals(version))
                .findFirst()
                .orElseThrow(() -> KeyVaultError.keyNotFound(name, version));
        }
    }

    /**
     * Creates a key version from a {@code POST /keys/{name}/create} body.
     */
    StandInKey createKey(String name, JsonNode body) {
        String keyType = KeyVaultHandler.requiredText(body, "kty");
        List<String> operations = new ArrayList<>();
        body.path("key_ops").forEach((operation) -> operations.add(operation.asString()));
        StandInKey key;
        if (keyType.startsWith("RSA")) {
            int bits = body.path("key_size").asInt(2048);
            KeyPair keyPair = generate("RSA", new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4));
            key = addVersion(name, keyType, null, keyPair, operations.isEmpty()
                    ? List.of("encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify") : operations);
        }
        else if (keyType.startsWith("EC")) {
            String curve = body.path("crv").asString("P-256");
            KeyPair keyPair = generate("EC", new ECGenParameterSpec(jcaCurveName(curve)));
            key = addVersion(name, keyType, curve, keyPair, operations.isEmpty() ? List.of("sign", "verify")
                    : operations);
        }
        else {
            throw KeyVaultError.badParameter("Key type %s is not supported by the stand-in.".formatted(keyType));
        }
        JsonNode attributes = body.path("attributes");
        Boolean enabled = attributes.has("enabled") ? attributes.get("enabled").asBoolean() : null;
        key.update(enabled, KeyVaultHandler.epochSeconds(attributes, "nbf"),
                KeyVaultHandler.epochSeconds(attributes, "exp"));
        return key;
    }

    private StandInKey addVersion(String name, String keyType, String curve, KeyPair keyPair,
            List<String> operations) {
        if (!name.matches("[0-9a-zA-Z-]{1,127}")) {
            throw KeyVaultError.badParameter("The key name '%s' is invalid: use 1 to 127 letters, digits and dashes."
                .formatted(name));
        }
        String version = UUID.randomUUID().toString().replace("-", "");
        StandInKey key = new StandInKey(name, version, keyType, curve, keyPair, operations);
        List<StandInKey> versions = this.keys.computeIfAbsent(name, (ignored) -> new ArrayList<>());
        synchronized (versions) {
            versions.add(key);
        }
        return key;
    }

    private static KeyPair generate(String algorithm, AlgorithmParameterSpec parameters) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(parameters);
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException ex) {
            throw KeyVaultError.badParameter("Could not generate the key: " + ex.getMessage());
        }
    }

    private static String jcaCurveName(String curve) {
        return switch (curve) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw KeyVaultError.badParameter("Curve %s is not supported.".formatted(curve));
        };
    }
}
