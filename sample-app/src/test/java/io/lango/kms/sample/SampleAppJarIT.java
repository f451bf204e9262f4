package io.lango.kms.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar, run as README.md runs it: {@code java -jar sample-app/target/lango-kms-sample-app.jar} starts
 * the web app, and {@code java -jar ... security kms <command>} runs the CLI in a fresh JVM, where the standard
 * output of {@code --json} must parse as exactly one JSON document.
 */
class SampleAppJarIT {

    private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path directory;

    private static Process webApp;

    private static Path webAppLog;

    private static String baseUrl;

    @BeforeAll
    static void startWebApp() throws Exception {
        webAppLog = directory.resolve("web-app.log");
        webApp = processBuilder("--server.port=0").redirectErrorStream(true).redirectOutput(webAppLog.toFile()).start();
        baseUrl = "http://127.0.0.1:" + awaitPort();
    }

    @AfterAll
    static void stopWebApp() throws InterruptedException {
        if (webApp == null) {
            return;
        }
        webApp.destroy();
        if (!webApp.waitFor(30, TimeUnit.SECONDS)) {
            webApp.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void webAppPassesSharedChecks() {
        SampleAppChecks.assertRestAndActuator(baseUrl, "local");
    }

    @Test
    void statusJsonStdoutIsOneJsonDocument() throws Exception {
        Result result = runCli("security", "kms", "status", "--json");

        JsonNode status = SampleAppClient.JSON.readTree(result.out());
        assertThat(result.exitCode()).as("exit code, stderr %s", result.err()).isEqualTo(0);
        assertThat(result.out()).startsWith("{").endsWith("}\n");
        assertThat(status.path("provider").asString()).isEqualTo("local");
        assertThat(status.path("connection").asString()).isEqualTo("connected");
        assertThat(result.err()).as("log lines on stderr").contains("No local key store is configured");
    }

    @Test
    void statusTextHasNoBannerOrLogLines() throws Exception {
        Result result = runCli("security", "kms", "status");

        assertThat(result.exitCode()).as("exit code, stderr %s", result.err()).isEqualTo(0);
        assertThat(result.out().lines().toList()).allMatch((line) -> line.matches("[A-Z][A-Za-z ]+:\\s+\\S.*"));
        assertThat(result.out()).contains("Connection:").doesNotContain("Spring Boot").doesNotContain(" WARN ");
    }

    @Test
    void testCommandPrintsPass() throws Exception {
        Result result = runCli("security", "kms", "test");

        assertThat(result.exitCode()).as("exit code, stderr %s", result.err()).isEqualTo(0);
        assertThat(result.out().lines().toList()).last().isEqualTo("PASS");
    }

    @Test
    void unknownCommandExits2() throws Exception {
        Result result = runCli("security", "kms", "rotate");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("unknown command: 'security kms rotate'").contains("Usage:");
    }

    private static Result runCli(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(directory, "cli-", ".out");
        Path err = Files.createTempFile(directory, "cli-", ".err");
        Process process = processBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("CLI did not exit within " + START_TIMEOUT + ": " + String.join(" ", args));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static ProcessBuilder processBuilder(String... args) {
        String jar = System.getProperty("sample.jar");
        assertThat(jar).as("system property sample.jar, set by the failsafe plugin").isNotBlank();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        // A profile or key store from the developer's shell would change what the checks expect.
        builder.environment().remove("SPRING_PROFILES_ACTIVE");
        builder.environment().remove("LANGO_LOCAL_KEYSTORE_PASSWORD");
        builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        builder.environment().put("NO_GCE_CHECK", "true");
        return builder;
    }

    private static int awaitPort() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Matcher matcher = STARTED.matcher(Files.readString(webAppLog, StandardCharsets.UTF_8));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            if (!webApp.isAlive()) {
                throw new AssertionError("web app exited with " + webApp.exitValue() + ":\n" + Files.readString(webAppLog));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("web app did not start within " + START_TIMEOUT + ":\n" + Files.readString(webAppLog));
    }

    /**
     * Exit code and output of one CLI run.
     */
    private record Result(int exitCode, String out, String err) {
    }
}
