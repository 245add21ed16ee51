package dev.hypha.cli;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code hypha} command: global options and the list of subcommands. Subcommands reach the global options and
 * the injected {@link CliEnvironment} through {@link #of(CommandSpec)}.
 */
@Command(name = "hypha",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = BuildInfo.class,
        usageHelpAutoWidth = true,
        description = "Hypha: an open network for AI work, settled on an EVM chain.",
        subcommands = {
            VersionCommand.class,
            AccountCommand.class,
            ConfigCommand.class,
            UpCommand.class,
            LocalnetCommand.class,
            StatusCommand.class,
            StakeCommands.Stake.class,
            StakeCommands.Unstake.class,
            StakeCommands.Withdraw.class,
            ProviderCommand.class,
            OffersCommand.class,
            dev.hypha.cli.model.PullCommand.class,
            DeployCommand.class,
            dev.hypha.cli.model.ModelCommand.class,
            dev.hypha.cli.model.RunCommand.class,
            FinetuneCommand.class,
            GatewayCommand.class,
            BudgetCommand.class,
            UsageCommand.class,
            ApiKeyCommand.class,
            DatasetCommand.class,
            CidCommand.class,
            ContentCommand.class,
            LineageCommand.class,
            RoyaltiesCommand.class,
            AgentCommand.class,
            DataCommand.class,
            TrainCommand.class,
            ComputeCommand.class,
            VerifierCommand.class,
            EvalCommand.class,
            SubnetCommand.class,
            AppCommand.class,
            dev.hypha.cli.zk.ZkCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Hypha implements Callable<Integer>, dev.hypha.cli.model.GlobalOptions {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Hypha home folder (default: $HYPHA_HOME or ~/.hypha).")
    Path home;

    @Option(names = "--rpc", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "JSON-RPC URL of the EVM chain (default: http://127.0.0.1:8545).")
    String rpc;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Configuration file (default: <home>/config.toml).")
    Path config;

    @Option(names = "--account", paramLabel = "ADDR", scope = ScopeType.INHERIT,
            description = "Account (address in the keystore) that signs transactions.")
    String account;

    @Option(names = "--password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Read the keystore password from the first line of this file.")
    Path passwordFile;

    @Option(names = "--password-env", paramLabel = "VAR", scope = ScopeType.INHERIT,
            description = "Read the keystore password from this environment variable.")
    String passwordEnv;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Debug logging, and stack traces with errors.")
    boolean verbose;

    public Hypha(CliEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * A command line for {@code hypha} with the error handling every run needs: one-line errors on stderr and exit
     * codes by category (see {@link ErrorHandler}).
     */
    public static CommandLine commandLine(CliEnvironment environment) {
        CommandLine commandLine = new CommandLine(new Hypha(environment));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // `hypha model register` talks to the chain through Session (this package); dev.hypha.cli.model cannot name it
        // without a package cycle, so it joins the model group here.
        commandLine.getSubcommands().get("model").addSubcommand("register", new ModelRegisterCommand());
        // `hypha zk feed` likewise posts through Session, so it joins the zk group here.
        commandLine.getSubcommands().get("zk").addSubcommand("feed", new ZkFeedCommand());
        // `hypha model bom --asset` reads the model's lineage from the chain through Session too.
        commandLine.getSubcommands().get("model").addSubcommand("bom", new ModelBomCommand());
        ErrorHandler handler = new ErrorHandler();
        commandLine.setExecutionExceptionHandler(handler);
        commandLine.setParameterExceptionHandler(handler);
        commandLine.setExecutionStrategy(parseResult -> {
            Logging.apply(Hypha.of(parseResult.commandSpec()));
            return new CommandLine.RunLast().execute(parseResult);
        });
        return commandLine;
    }

    /** The root command of any (sub)command's spec: gives access to global options and the environment. */
    public static Hypha of(CommandSpec anySpec) {
        return (Hypha) anySpec.root().userObject();
    }

    /** The injected process environment. */
    public CliEnvironment environment() {
        return environment;
    }

    /** The effective Hypha home folder (--home, HYPHA_HOME, config file, ~/.hypha), for commands in other packages. */
    @Override
    public Path resolvedHome() {
        return Session.of(spec).home();
    }

    /** The account's key from the keystore, unlocked with the password (--password-file, --password-env or asked). */
    @Override
    public org.web3j.crypto.Credentials unlockAccount() {
        return Session.of(spec).credentials();
    }

    /** Whether {@code --verbose} was given (anywhere on the command line). */
    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() {
        // "hypha" alone: show what there is to do, and fail like any other usage error so scripts notice.
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
