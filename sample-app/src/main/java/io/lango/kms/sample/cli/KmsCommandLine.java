package io.lango.kms.sample.cli;

import java.io.PrintStream;
import java.util.List;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.lango.kms.sample.SampleApplication;

/**
 * Command line {@code security kms status|test|keys [--json]} of the sample app.
 *
 * <p>A command starts the application context from the same {@code application.yml} and profiles as the web app,
 * but without a web server, runs, and returns its exit code. While the context runs, everything written to
 * {@code System.out}, such as log lines, goes to standard error instead, so with {@code --json} standard output
 * carries only the JSON document.
 */
public final class KmsCommandLine {

    /** The command succeeded. */
    public static final int EXIT_OK = 0;

    /** The command ran and failed, or the application context failed to start. */
    public static final int EXIT_FAILURE = 1;

    /** The command line is invalid. */
    public static final int EXIT_USAGE = 2;

    private static final List<String> COMMAND_PREFIX = List.of("security", "kms");

    private static final String USAGE = """
            Usage: java -jar lango-kms-sample-app.jar security kms <command> [--json] [--<property>=<value>...]

            Commands:
              status   Print the provider, key IDs, region, fallback setting and connection status.
                       Exits with 1 when the KMS is unreachable and fallback to local keys is disabled.
              test     Encrypt and decrypt 32 random bytes with the default key, one line per step,
                       then PASS (exit code 0) or FAIL (exit code 1).
              keys     List the keys with their ID, NAME, TYPE and REMOTE KEY ID.

            Options:
              --json                Print only a JSON document on standard output; logs go to standard error.
              --help, -h            Print this help.
              --<property>=<value>  Set a Spring property, for example --spring.profiles.active=aws.

            Without a command, the jar starts the web app. Exit code 2 means the command line is invalid.
            """;

    private KmsCommandLine() {
    }

    /**
     * Returns true when {@code args} contains a command or a CLI option, so the CLI runs instead of the web app.
     */
    public static boolean isCommand(String[] args) {
        return CommandLineArguments.isCommand(args);
    }

    /**
     * Runs the command in {@code args}, printing its result to {@code out} and diagnostics to {@code err}, and
     * returns the exit code.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLineArguments arguments = CommandLineArguments.parse(args);
        if (arguments.error() != null) {
            return usageError(arguments.error(), err);
        }
        if (arguments.help() || arguments.words().equals(List.of("security", "kms", "help"))) {
            out.print(USAGE);
            return EXIT_OK;
        }
        String command = commandName(arguments.words());
        if (command == null) {
            if (arguments.words().equals(List.of("security", "kms"))) {
                return usageError("missing command after 'security kms': use status, test or keys", err);
            }
            String commandText = arguments.words().isEmpty() ? "no command"
                    : "'" + String.join(" ", arguments.words()) + "'";
            return usageError("unknown command: " + commandText, err);
        }
        return runInContext(command, arguments, out, err);
    }

    private static String commandName(List<String> words) {
        if (words.size() != 3 || !words.subList(0, 2).equals(COMMAND_PREFIX)) {
            return null;
        }
        String command = words.get(2);
        return KmsCommands.NAMES.contains(command) ? command : null;
    }

    private static int usageError(String message, PrintStream err) {
        err.println("error: " + message);
        err.println();
        err.print(USAGE);
        return EXIT_USAGE;
    }

    private static int runInContext(String command, CommandLineArguments arguments, PrintStream out,
            PrintStream err) {
        SpringApplication application = new SpringApplicationBuilder(SampleApplication.class)
            .web(WebApplicationType.NONE)
            .bannerMode(Banner.Mode.OFF)
            .logStartupInfo(false)
            .registerShutdownHook(false)
            // A default, so application.yml or --logging.level.root=INFO still wins.
            .properties("logging.level.root=WARN")
            .build();
        PrintStream standardOut = System.out;
        System.setOut(err);
        try {
            ConfigurableApplicationContext context = start(application, arguments, command, err);
            return (context != null) ? runAndClose(context, command, arguments.json(), out, err) : EXIT_FAILURE;
        }
        finally {
            System.setOut(standardOut);
        }
    }

    private static int runAndClose(ConfigurableApplicationContext context, String command, boolean json,
            PrintStream out, PrintStream err) {
        try (context) {
            return new KmsCommands(context, out, json).run(command);
        }
        catch (RuntimeException ex) {
            err.println("error: security kms " + command + " failed: " + ex.getMessage());
            return EXIT_FAILURE;
        }
    }

    /**
     * Starts the context, or returns null after a start-up failure, which Spring Boot has already reported on
     * standard error with its failure analysis or stack trace.
     */
    private static ConfigurableApplicationContext start(SpringApplication application, CommandLineArguments arguments,
            String command, PrintStream err) {
        try {
            return application.run(arguments.springArguments().toArray(String[]::new));
        }
        catch (RuntimeException ex) {
            err.println("error: the application failed to start, so 'security kms " + command
                    + "' did not run; the report above names the cause.");
            return null;
        }
    }
}
