package io.lango.kms.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * built, and an {@link HttpClient} that trusts the stand-in's self-signed certificate.
 */
class AzureProfileTest {

    private static final Pattern LISTENING = Pattern.compile("listening on (https://127\\.0\\.0\\.1:\\d+)");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path directory;

    private static Process standIn;

    private static String vaultUrl;

    private static X509Certificate certificate;

    @BeforeAll
    static void startStandIn() throws Exception {
        Path certificateFile = directory.resolve("key-vault-stand-in.pem");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), KeyVaultStandInMain.class.getName(), "--port", "0",
                "--certificate", certificateFile.toString());
        standIn = new ProcessBuilder(command).redirectErrorStream(true).start();
        vaultUrl = awaitVaultUrl(standIn.getInputStream());
        certificate = readCertificate(certificateFile);
    }

    @AfterAll
    static void stopStandIn() throws InterruptedException {
        if (standIn == null) {
            return;
        }
        standIn.destroy();
        if (!standIn.waitFor(30, TimeUnit.SECONDS)) {
            standIn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
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
            .run("--server.port=0", "--security.kms.azure.vault-url=" + vaultUrl,
                    "--security.kms.timeout-per-operation=20s");
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

    private static String baseUrl(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    /**
     * Reads the stand-in's output on a daemon thread until it prints its URL, and keeps draining it afterwards so
     * the process never blocks on a full pipe.
     */
    private static String awaitVaultUrl(InputStream output) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            }
            catch (IOException ex) {
                lines.add("output could not be read: " + ex.getMessage());
            }
        }, "key-vault-stand-in-output");
        reader.setDaemon(true);
        reader.start();

        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            seen.append(line).append('\n');
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                return matcher.group(1);
            }
        }
        throw new AssertionError("Key Vault stand-in did not print its URL within %s; output:%n%s"
            .formatted(START_TIMEOUT, seen));
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
