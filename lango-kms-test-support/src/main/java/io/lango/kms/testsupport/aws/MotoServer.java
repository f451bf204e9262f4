package io.lango.kms.testsupport.aws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A moto server process ({@code python3 -m moto.server}) that emulates AWS KMS on 127.0.0.1.
 *
 * <p>moto 5 keeps all state in memory, so {@link #stop()} loses every key; {@link #restart()} starts a new process
 * on the same port. The Python executable is {@code python3}, or the value of the system property
 * {@value #PYTHON_PROPERTY}.
 */
public final class MotoServer implements AutoCloseable {

    /** System property that names the Python executable to run moto with. */
    public static final String PYTHON_PROPERTY = "lango.test.python";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final int OUTPUT_LINES_KEPT = 40;

    /** Werkzeug, which moto's server runs on, prints this line once the socket is bound. */
    private static final Pattern RUNNING_ON = Pattern.compile("Running on http://127\\.0\\.0\\.1:(\\d+)");

    private final HttpClient httpClient = HttpClient.newBuilder()
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final Deque<String> output = new ArrayDeque<>();

    private Process process;

    private Thread shutdownHook;

    private int port;

    private MotoServer() {
    }

    /**
     * Starts moto on a free port chosen by the operating system and waits until it listens.
     */
    public static MotoServer start() {
        MotoServer server = new MotoServer();
        server.startProcess(0);
        return server;
    }

    /**
     * Returns the port moto listens on; it stays the same across {@link #restart()}.
     */
    public int port() {
        return this.port;
    }

    /**
     * Returns the endpoint to give SDK clients, {@code http://127.0.0.1:<port>}.
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + this.port);
    }

    /**
     * Returns whether the moto process is running.
     */
    public synchronized boolean isRunning() {
        return this.process != null && this.process.isAlive();
    }

    /**
     * Deletes every key, alias and other resource in moto ({@code POST /moto-api/reset}).
     */
    public void reset() {
        HttpRequest request = HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
        try {
            HttpResponse<String> response = this.httpClient.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("moto reset returned HTTP %d: %s".formatted(response.statusCode(),
                        response.body()));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException("moto reset failed at " + endpoint(), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting moto", ex);
        }
    }

    /**
     * Stops the moto process; connections to its port are refused until {@link #restart()}.
     */
    public synchronized void stop() {
        if (this.process == null) {
            return;
        }
        Process stopping = this.process;
        this.process = null;
        stopping.descendants().forEach(ProcessHandle::destroy);
        stopping.destroy();
        try {
            if (!stopping.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                stopping.descendants().forEach(ProcessHandle::destroyForcibly);
                stopping.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (InterruptedException ex) {
            stopping.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeShutdownHook();
    }

    /**
     * Starts a new moto process on the same port, with no keys.
     */
    public synchronized void restart() {
        stop();
        startProcess(this.port);
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void startProcess(int requestedPort) {
        String python = System.getProperty(PYTHON_PROPERTY, "python3");
        ProcessBuilder builder = new ProcessBuilder(python, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                String.valueOf(requestedPort))
            .redirectErrorStream(true);
        try {
            this.process = builder.start();
        }
        catch (IOException ex) {
            throw new IllegalStateException(("Could not run '%s -m moto.server': %s; install Python 3 and moto with "
                    + "pip install 'moto[server]'").formatted(python, ex.getMessage()), ex);
        }
        addShutdownHook();
        this.port = awaitPort(this.process);
    }

    private int awaitPort(Process started) {
        CompletableFuture<Integer> boundPort = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(started, boundPort), "moto-output-" + started.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            return boundPort.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException | TimeoutException ex) {
            stop();
            throw new IllegalStateException(("moto server did not start within %s (is moto installed? pip install "
                    + "'moto[server]'). Last output:%n%s").formatted(START_TIMEOUT, recentOutput()), ex);
        }
        catch (InterruptedException ex) {
            stop();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting moto", ex);
        }
    }

    /**
     * Reads the process output until it ends, completing {@code boundPort} from the "Running on" line and failing
     * it when the process exits first. Reading also keeps the pipe from filling up and blocking moto.
     */
    private void readOutput(Process started, CompletableFuture<Integer> boundPort) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                remember(line);
                Matcher matcher = RUNNING_ON.matcher(line);
                if (!boundPort.isDone() && matcher.find()) {
                    boundPort.complete(Integer.parseInt(matcher.group(1)));
                }
            }
        }
        catch (IOException ex) {
            // The stream closes when the process is stopped; nothing is left to read.
        }
        boundPort.completeExceptionally(new IllegalStateException("moto exited before it listened"));
    }

    private void remember(String line) {
        synchronized (this.output) {
            this.output.addLast(line);
            if (this.output.size() > OUTPUT_LINES_KEPT) {
                this.output.removeFirst();
            }
        }
    }

    private String recentOutput() {
        synchronized (this.output) {
            return String.join(System.lineSeparator(), this.output);
        }
    }

    private void addShutdownHook() {
        Process started = this.process;
        this.shutdownHook = new Thread(started::destroyForcibly, "moto-shutdown-" + started.pid());
        Runtime.getRuntime().addShutdownHook(this.shutdownHook);
    }

    private void removeShutdownHook() {
        if (this.shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
        }
        catch (IllegalStateException ex) {
            // The JVM is already shutting down and runs the hook itself.
        }
        this.shutdownHook = null;
    }
}
