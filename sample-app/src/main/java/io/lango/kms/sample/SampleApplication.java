package io.lango.kms.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import io.lango.kms.sample.cli.KmsCommandLine;

/**
 * Web app on the Lango KMS starter, with a command line in the same jar.
 *
 * <p>Without arguments, or with only {@code --name=value} options, it starts the web server. With a command such as
 * {@code security kms status}, it runs that command without a web server and exits with its exit code.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        if (KmsCommandLine.isCommand(args)) {
            System.exit(KmsCommandLine.run(args, System.out, System.err));
        }
        SpringApplication.run(SampleApplication.class, args);
    }
}
