package dev.hypha.cli.model;

import dev.hypha.cli.CliEnvironment;
import dev.hypha.cli.Hypha;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Runs {@code hypha --home HOME ...} in-process with captured output, the way Main does. */
record ModelCli(int exitCode, String out, String err) {

    static ModelCli run(Path home, String... args) {
        return runWithInput(home, null, args);
    }

    /** @param stdin what the command reads as its terminal input, or null for none */
    static ModelCli runWithInput(Path home, String stdin, String... args) {
        CliEnvironment environment = new CliEnvironment(Map.of(), home.resolve("user"),
                CliEnvironment.StopSignal.of(new CountDownLatch(0)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Hypha.commandLine(environment);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        if (stdin != null) {
            CommandLine run = commandLine.getSubcommands().get("run");
            ((RunCommand) run.getCommand()).input = new java.io.ByteArrayInputStream(
                    stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String[] all = Stream.concat(Stream.of("--home", home.toString()), Stream.of(args)).toArray(String[]::new);
        int code = commandLine.execute(all);
        return new ModelCli(code, out.toString(), err.toString());
    }

    /** The single error line, without the prefix every error has. */
    String errorLine() {
        String first = err.lines().filter(l -> l.startsWith("hypha: error: ")).findFirst().orElse("");
        return first.isEmpty() ? "" : first.substring("hypha: error: ".length());
    }
}
