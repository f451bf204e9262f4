package io.lango.kms.sample.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsed command line: the command words, the CLI's own options, and the {@code --name=value} options passed on to
 * Spring as properties.
 *
 * @param words the words that are not options, for example {@code [security, kms, status]}
 * @param json whether {@code --json} was given
 * @param help whether {@code --help} or {@code -h} was given
 * @param springArguments options of the form {@code --name=value}, in their original order
 * @param error why the arguments are invalid, or null
 */
record CommandLineArguments(List<String> words, boolean json, boolean help, List<String> springArguments,
        String error) {

    static final String JSON = "--json";

    static final String HELP = "--help";

    static final String SHORT_HELP = "-h";

    /**
     * Splits {@code args}; an option that is neither the CLI's own nor of the form {@code --name=value} is an error,
     * so a mistyped {@code --jsn} is reported instead of becoming a Spring property.
     */
    static CommandLineArguments parse(String[] args) {
        List<String> words = new ArrayList<>();
        List<String> springArguments = new ArrayList<>();
        boolean json = false;
        boolean help = false;
        String error = null;
        for (String arg : args) {
            if (JSON.equals(arg)) {
                json = true;
            }
            else if (HELP.equals(arg) || SHORT_HELP.equals(arg)) {
                help = true;
            }
            else if (arg.startsWith("--") && arg.indexOf('=') > 2) {
                springArguments.add(arg);
            }
            else if (arg.startsWith("-")) {
                error = (error != null) ? error : "unknown option '%s'".formatted(arg);
            }
            else {
                words.add(arg);
            }
        }
        return new CommandLineArguments(List.copyOf(words), json, help, List.copyOf(springArguments), error);
    }

    /**
     * Returns true when {@code args} contains a word that is not an option, or one of the CLI's own options, so the
     * CLI runs instead of the web app.
     */
    static boolean isCommand(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-") || JSON.equals(arg) || HELP.equals(arg) || SHORT_HELP.equals(arg)) {
                return true;
            }
        }
        return false;
    }
}
