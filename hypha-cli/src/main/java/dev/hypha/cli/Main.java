package dev.hypha.cli;

/** Entry point of the shaded jar: runs the {@code hypha} command and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Hypha.commandLine(CliEnvironment.system()).execute(args));
    }
}
