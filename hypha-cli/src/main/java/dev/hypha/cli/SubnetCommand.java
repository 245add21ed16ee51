package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.incentives.yuma.EpochResult;
import dev.hypha.incentives.yuma.EpochState;
import dev.hypha.incentives.yuma.EpochStateJson;
import dev.hypha.incentives.yuma.YumaEpoch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hypha subnet}: incentive subnets (Yuma consensus). */
@Command(name = "subnet", description = "Incentive subnets: create, register, set weights; run Yuma consensus off-chain.",
        subcommands = {SubnetChainCommands.Create.class, SubnetChainCommands.ListSubnets.class,
            SubnetChainCommands.Show.class, SubnetChainCommands.Register.class, SubnetChainCommands.Weights.class,
            SubnetCommand.Epoch.class, SubnetDaemonCommands.Validate.class, SubnetDaemonCommands.Mine.class})
final class SubnetCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /**
     * {@code hypha subnet epoch --state FILE}: one epoch of subtensor's Yuma consensus, printed as JSON; its
     * subcommands settle epochs on chain.
     */
    @Command(name = "epoch", description = {
        "Run one epoch of Yuma consensus (subtensor's sparse epoch, exact fixed point) on a state file and print the",
        "result as JSON: per UID consensus, validator trust, incentive, dividends, emissions and the new bonds.",
        "On chain: close, post, check, challenge, finalize and claim an epoch of a subnet."},
        subcommands = {SubnetEpochCommands.Close.class, SubnetEpochCommands.Post.class, SubnetEpochCommands.Check.class,
            SubnetEpochCommands.Challenge.class, SubnetEpochCommands.Finalize.class, SubnetEpochCommands.Claim.class})
    static final class Epoch implements Callable<Integer> {
        /** State files above this size are refused before they are read (65,536 UIDs with full rows fit well under it). */
        static final long MAX_STATE_BYTES = 256L << 20;

        @Spec
        private CommandSpec spec;

        @Option(names = "--state", paramLabel = "FILE",
                description = "Epoch state (JSON; format in the README, 'Yuma consensus off-chain').")
        Path state;

        @Option(names = "--next-state", paramLabel = "FILE",
                description = "Also write the state for the next epoch: the new bonds and validator permits written back.")
        Path nextState;

        @Override
        public Integer call() throws IOException {
            // not picocli-required: the on-chain subcommands run without it
            if (state == null) throw HyphaException.input("--state FILE is required (or a subcommand: close, post, check, challenge, finalize, claim)");
            if (!Files.isRegularFile(state)) throw HyphaException.input("--state: no such file: " + state);
            long size = Files.size(state);
            if (size > MAX_STATE_BYTES) {
                throw HyphaException.input("--state: " + state + " is " + size + " bytes, more than the " + MAX_STATE_BYTES + " allowed");
            }
            String json = Files.readString(state, StandardCharsets.UTF_8);
            EpochStateJson codec = new EpochStateJson();
            EpochState parsed;
            try {
                parsed = codec.read(json);
            } catch (IllegalArgumentException invalid) {
                throw HyphaException.input(state + ": " + invalid.getMessage());
            }
            EpochResult result = YumaEpoch.run(parsed);
            if (nextState != null) Files.writeString(nextState, codec.nextState(json, result), StandardCharsets.UTF_8);
            spec.commandLine().getOut().println(codec.writeString(result));
            return ExitCodes.OK;
        }
    }
}
