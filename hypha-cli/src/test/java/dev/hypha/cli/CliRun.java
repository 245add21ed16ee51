package dev.hypha.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;

/** Runs {@code hypha} in-process, the way Main does, with captured stdout/stderr and an injected environment. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        return run(Map.of(), args);
    }

    static CliRun run(Map<String, String> env, String... args) {
        // The user's home is a folder that does not exist, so no test ever reads or writes the real ~/.hypha.
        return run(new CliEnvironment(env, java.nio.file.Path.of("/nonexistent-user-home"),
                CliEnvironment.StopSignal.of(new CountDownLatch(0))), args);
    }

    static CliRun run(CliEnvironment environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Hypha.commandLine(environment);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The single error line, without the prefix every error has. */
    String errorLine() {
        String first = err.lines().findFirst().orElse("");
        return first.startsWith("hypha: error: ") ? first.substring("hypha: error: ".length()) : first;
    }
}
