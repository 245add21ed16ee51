package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import java.math.BigInteger;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha stake}, {@code hypha unstake}, {@code hypha withdraw}: HYP stake in the Staking contract. */
final class StakeCommands {

    private StakeCommands() {
    }

    /** The --role option the three commands share. */
    static final class RoleOption {
        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "provider",
                description = "Role the stake is for: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        StakeRole role;
    }

    static String hyp(BigInteger wei) {
        return TokenAmount.format(wei, TokenAmount.HYP_DECIMALS) + " HYP";
    }

    /** An address as people read it (EIP-55 checksummed). */
    static String checksum(String address) {
        return dev.hypha.core.crypto.Address.parse(address).toChecksumString();
    }

    static String tx(TransactionReceipt receipt) {
        return "tx " + receipt.getTransactionHash() + ", block " + receipt.getBlockNumber();
    }

    @Command(name = "stake", description = {"Stake HYP for a role (approves the Staking contract first if needed).",
        "AMOUNT is in HYP, a decimal with up to 18 places, e.g. 1000 or 0.5."})
    static final class Stake implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        RoleOption role = new RoleOption();

        @Parameters(paramLabel = "AMOUNT", description = "HYP to stake.")
        String amount;

        @Override
        public Integer call() {
            TokenAmount value = TokenAmount.hyp(amount, "stake amount");
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                TransactionReceipt receipt = contracts.staking().stake(role.role.id(), value.baseUnits());
                BigInteger now = contracts.staking().stakeOf(contracts.account(), role.role.id());
                session.out().println("Staked " + value + " HYP as " + role.role + " from " + checksum(contracts.account())
                        + " (" + tx(receipt) + "). Active stake: " + hyp(now));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "unstake", description = {"Start unbonding HYP stake (Staking.requestUnbond).",
        "The amount can be withdrawn after the unbonding period; a second request adds to the pending amount and "
                + "restarts the period."})
    static final class Unstake implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        RoleOption role = new RoleOption();

        @Parameters(paramLabel = "AMOUNT", description = "HYP to unbond.")
        String amount;

        @Override
        public Integer call() {
            TokenAmount value = TokenAmount.hyp(amount, "unstake amount");
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                TransactionReceipt receipt = contracts.staking().requestUnbond(role.role.id(), value.baseUnits());
                StakingClient.Unbonding unbonding = contracts.staking().unbondingOf(contracts.account(), role.role.id());
                session.out().println("Unbonding " + hyp(unbonding.amount()) + " as " + role.role + " ("
                        + tx(receipt) + "); withdraw after " + Instant.ofEpochSecond(unbonding.releaseTime())
                        + " with `hypha withdraw`.");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "withdraw", description = "Withdraw stake whose unbonding period has passed.")
    static final class Withdraw implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        RoleOption role = new RoleOption();

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                BigInteger before = contracts.staking().unbondingOf(contracts.account(), role.role.id()).amount();
                TransactionReceipt receipt = contracts.staking().withdraw(role.role.id());
                session.out().println("Withdrew " + hyp(before) + " (" + role.role + ") to " + checksum(contracts.account())
                        + " (" + tx(receipt) + ").");
            }
            return ExitCodes.OK;
        }
    }
}
