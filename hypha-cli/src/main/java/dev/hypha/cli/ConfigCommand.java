package dev.hypha.cli;

import dev.hypha.core.config.HyphaConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha config show|path}: the effective configuration and where it comes from. */
@Command(name = "config", description = "Show the effective configuration.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.PathCommand.class})
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(name = "show",
            description = {"Print every setting as `key = value   (source)`.",
                "Precedence: flag > environment (HYPHA_<KEY>) > config file > default."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            HyphaConfig config = session.config();
            session.out().println("# config file: " + config.file().map(Object::toString)
                    .orElse("none (" + session.configFile() + " does not exist)"));
            config.show().forEach(session.out()::println);
            return ExitCodes.OK;
        }
    }

    @Command(name = "path", description = "Print the path of the config file that is (or would be) read.")
    static final class PathCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            session.out().println(session.configFile());
            return ExitCodes.OK;
        }
    }
}
