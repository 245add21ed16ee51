package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The root command: help, version, completion, usage errors. */
class HyphaCommandTest {

    @Test
    void versionCommandAndFlagPrintTheProjectVersion() {
        CliRun command = CliRun.run("version");
        CliRun flag = CliRun.run("--version");

        assertThat(command.exitCode()).isZero();
        assertThat(command.out()).startsWith("hypha ").contains("running on Java " + Runtime.version());
        assertThat(command.out().lines().findFirst()).contains("hypha " + BuildInfo.version());
        assertThat(BuildInfo.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(flag.out()).isEqualTo(command.out());
    }

    @Test
    void helpListsGlobalOptionsAndSubcommands() {
        CliRun help = CliRun.run("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--home=DIR", "--rpc=URL", "--config=FILE", "--account=ADDR",
                "--password-file=FILE", "--password-env=VAR", "--verbose", "version", "completion");
    }

    @Test
    void everyCommandAtEveryLevelHasHelp() {
        java.util.List<String> checked = new java.util.ArrayList<>();
        checkHelp(Hypha.commandLine(CliEnvironment.system()), java.util.List.of(), checked);
        assertThat(checked).contains("account new", "account import", "provider register", "config show", "up",
                "stake", "deploy");
    }

    private static void checkHelp(picocli.CommandLine command, java.util.List<String> path,
                                  java.util.List<String> checked) {
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help") || !name.equals(sub.getCommandName())) {
                return; // picocli's help command, and aliases (checked under their main name)
            }
            java.util.List<String> args = new java.util.ArrayList<>(path);
            args.add(name);
            CliRun help = CliRun.run(java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new));
            String joined = String.join(" ", args);
            assertThat(help.exitCode()).as("hypha %s --help", joined).isZero();
            assertThat(help.out()).as("hypha %s --help", joined).contains("Usage: hypha " + joined);
            checked.add(joined);
            checkHelp(sub, args, checked);
        });
    }

    @Test
    void globalOptionsAreAcceptedAfterTheSubcommand() {
        CliRun run = CliRun.run("version", "--home", "/tmp/x", "--verbose");

        assertThat(run.exitCode()).isZero();
    }

    @Test
    void unknownSubcommandIsOneUsageErrorLine() {
        CliRun run = CliRun.run("bogus");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.errorLine()).contains("'bogus'").contains("hypha --help");
    }

    @Test
    void aMistypedSubcommandGetsASuggestion() {
        CliRun run = CliRun.run("stak", "10");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.errorLine()).contains("'stak'").contains("did you mean stake");
    }

    @Test
    void missingOptionValueNamesTheOptionAndTheCommand() {
        CliRun run = CliRun.run("version", "--home");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errorLine()).contains("'--home'").contains("hypha version --help");
    }

    @Test
    void noSubcommandPrintsUsageAndFails() {
        CliRun run = CliRun.run();

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Usage: hypha");
    }

    @Test
    void bashCompletionScriptCoversTheSubcommands() {
        CliRun run = CliRun.run("completion", "bash");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("complete -F", "_picocli_hypha", "version", "completion");
    }

    @Test
    void completionForAnUnknownShellIsAUsageError() {
        CliRun run = CliRun.run("completion", "fish");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errorLine()).contains("fish").contains("bash");
    }
}
