package dev.hypha.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha completion bash}: prints picocli's completion script (bash; zsh loads it via bashcompinit). */
@Command(name = "completion",
        description = {"Print a shell completion script.",
            "Use: source <(hypha completion bash)   (zsh: autoload -U bashcompinit && bashcompinit first)"})
final class CompletionCommand implements Callable<Integer> {

    /** The shells picocli's script supports. */
    enum Shell { bash, zsh }

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash or zsh (default: bash).")
    Shell shell;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("hypha", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
