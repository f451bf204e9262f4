package io.lango.kms.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.lango.kms.sample.SampleAppClient.Reply;
import io.lango.kms.testsupport.azure.KeyVaultStandInMain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app with the {@code azure} profile against the Key Vault stand-in, which runs as a separate process
 * started with its documented main class.
 *
 * <p>The app gets a {@link TokenCredential} that returns a fixed token, so {@code DefaultAzureCredential} is never
 * built. It trusts the stand-in's self-signed certificate through an {@link HttpClient} bean, or, in a separate JVM,
 * through the JVM trust store with Azure Core's default HTTP client.
 */
class AzureProfileTest {

    private static final Pattern LISTENING = Pattern.compile("listening on (https://127\\.0\\.0\\.1:\\d+)");

    private static final Pattern TOMCAT_STARTED = Pattern.compile("Tomcat started on port (\\d+)");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final String TRUST_STORE_PASSWORD = "changeit";

    @TempDir
    static Path directory;

    private static Process standIn;

    private static String vaultUrl;

    private static X509Certificate certificate;

    private static Path trustStore;

    @BeforeAll
    static void startStandIn() throws Exception {
        Path certificateFile = directory.resolve("key-vault-stand-in.pem");
        trustStore = directory.resolve("key-vault-stand-in.p12");
        List<String> command = List.of(javaCommand(), "-cp", System.getProperty("java.class.path"),
                KeyVaultStandInMain.class.getName(), "--port", "0", "--certificate", certificateFile.toString(),
                "--trust-store", trustStore.toString(), "--trust-store-password", TRUST_STORE_PASSWORD);
        Path log = directory.resolve("key-vault-stand-in.log");
        standIn = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        vaultUrl = awaitLine(log, LISTENING, standIn);
        certificate = readCertificate(certificateFile);
    }

    @AfterAll
    static void stopStandIn() throws InterruptedException {
        stop(standIn);
    }

    @Test
    void restApiAndActuatorPassSharedChecks() {
        AtomicInteger tokenRequests = new AtomicInteger();
        try (ConfigurableApplicationContext context = start(tokenRequests)) {
            SampleAppChecks.assertRestAndActuator(baseUrl(context), "azure-kv");

            assertThat(tokenRequests.get()).as("token requests to the credential bean").isPositive();
        }
    }

    @Test
    void defaultHttpClientTrustsJvmTrustStore() throws Exception {
        // The app runs in its own JVM, because the trust store system properties would affect every other test in
        // this one.
        List<String> command = new java.util.ArrayList<>(List.of(javaCommand(),
                "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + TRUST_STORE_PASSWORD,
                "-cp", System.getProperty("java.class.path"), FixedTokenSampleApplication.class.getName(),
                "--spring.profiles.active=azure", "--server.port=0", "--security.kms.azure.vault-url=" + vaultUrl,
                "--security.kms.timeout-per-operation=20s"));
        command.addAll(List.of(FallbackKeyStore.arguments()));
        Path log = directory.resolve("sample-app.log");
        Process app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String port = awaitLine(log, TOMCAT_STARTED, app);

            SampleAppChecks.assertRestAndActuator("http://127.0.0.1:" + port, "azure-kv");
            assertThat(Files.readString(log)).as("start-up log of the sample app")
                .contains("HTTP client Azure Core default with a 20000 ms timeout");
        }
        finally {
            stop(app);
        }
    }

    @Test
    void kmsStatusNamesStandInKeys() {
        try (ConfigurableApplicationContext context = start(new AtomicInteger())) {
            Reply status = new SampleAppClient(baseUrl(context)).get("/actuator/kms");

            assertThat(status.status()).isEqualTo(200);
            assertThat(status.json().path("provider").asString()).isEqualTo("azure-kv");
            assertThat(status.json().path("keyId").asString()).isEqualTo("lango-encryption");
        }
    }

    private static ConfigurableApplicationContext start(AtomicInteger tokenRequests) {
        TokenCredential credential = (request) -> Mono.fromSupplier(() -> {
            tokenRequests.incrementAndGet();
            return new AccessToken("sample-app-test-token", OffsetDateTime.now().plusHours(1));
        });
        HttpClient httpClient = trustingHttpClient();
        // Command-line arguments, because default properties rank below application.yml and the profile file.
        // The first Key Vault request of a JVM loads Netty and sets up TLS. In one run on a shared 2-core machine
        // that took 3.4 s of the health probe's default 5 s, so the limit is raised to keep a slow start from
        // reading as an outage.
        return new SpringApplicationBuilder(SampleApplication.class).profiles("azure")
            .initializers((context) -> {
                context.getBeanFactory().registerSingleton("keyVaultCredential", credential);
                context.getBeanFactory().registerSingleton("keyVaultHttpClient", httpClient);
            })
            .run(withFallbackKeyStore("--server.port=0", "--security.kms.azure.vault-url=" + vaultUrl,
                    "--security.kms.timeout-per-operation=20s"));
    }

    private static String[] withFallbackKeyStore(String... arguments) {
        List<String> all = new java.util.ArrayList<>(List.of(arguments));
        all.addAll(List.of(FallbackKeyStore.arguments()));
        return all.toArray(String[]::new);
    }

    private static HttpClient trustingHttpClient() {
        SslContext sslContext;
        try {
            sslContext = SslContextBuilder.forClient().trustManager(certificate).build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("Could not build a TLS context for the stand-in", ex);
        }
        reactor.netty.http.client.HttpClient nettyClient = reactor.netty.http.client.HttpClient.create()
            .secure((spec) -> spec.sslContext(sslContext));
        Duration timeout = Duration.ofSeconds(5);
        return new NettyAsyncHttpClientBuilder(nettyClient).connectTimeout(timeout)
            .responseTimeout(timeout)
            .readTimeout(timeout)
            .writeTimeout(timeout)
            .build();
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void stop(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String baseUrl(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    /**
     * Polls a process's log until a line matches {@code pattern}, and returns the pattern's first group.
     */
    private static String awaitLine(Path log, Pattern pattern, Process process)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String output = Files.exists(log) ? Files.readString(log) : "";
            Matcher matcher = pattern.matcher(output);
            if (matcher.find()) {
                return matcher.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("process exited with %d before printing '%s'; output:%n%s"
                    .formatted(process.exitValue(), pattern, output));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("process did not print '%s' within %s; output:%n%s".formatted(pattern,
                START_TIMEOUT, Files.readString(log)));
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /**
     * Starts the sample app with a fixed-token {@link TokenCredential} bean and no {@link HttpClient} bean, so the
     * Azure provider builds Azure Core's default HTTP client; run in its own JVM by
     * {@link #defaultHttpClientTrustsJvmTrustStore()}.
     */
    static final class FixedTokenSampleApplication {

        public static void main(String[] args) {
            TokenCredential credential = (request) -> Mono
                .just(new AccessToken("sample-app-test-token", OffsetDateTime.now().plusHours(1)));
            new SpringApplicationBuilder(SampleApplication.class)
                .initializers((context) -> context.getBeanFactory().registerSingleton("keyVaultCredential", credential))
                .run(args);
        }
    }
}
