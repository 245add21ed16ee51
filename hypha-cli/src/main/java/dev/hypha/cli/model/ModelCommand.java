package dev.hypha.cli.model;

import dev.hypha.core.errors.ErrorCategory;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha model import|create|list|show|rm|verify|export|quantize}: the local model store under {@code <home>/models}. */
@Command(name = "model", description = "Manage the local model store (<home>/models).",
        subcommands = {
            ModelImportCommand.class,
            ModelCreateCommand.class,
            ModelListCommand.class,
            ModelShowCommand.class,
            ModelRmCommand.class,
            ModelVerifyCommand.class,
            ModelSignCommand.class,
            ModelExportCommand.class,
            ModelQuantizeCommand.class,
        })
public final class ModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCategory.USAGE.exitCode();
    }
}
