package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import java.math.BigInteger;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha royalties pay|balance|withdraw}: revenue paid to an asset in the payment token (hUSD), split up its lineage
 * by RoyaltySplitter, and the royalties an account earned.
 */
@Command(name = "royalties", description = "Pay revenue to an asset (split up its lineage) and withdraw what you earned.",
        subcommands = {RoyaltiesCommand.Pay.class, RoyaltiesCommand.Balance.class, RoyaltiesCommand.Withdraw.class})
final class RoyaltiesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCategory.USAGE.exitCode();
    }

    private static Address usd(HyphaContracts contracts) {
        return Address.parse(contracts.deployment().address(PaymentTokenClient.NAME));
    }

    private static String hUsd(BigInteger units) {
        return TokenAmount.format(units, Deployer.PAYMENT_DECIMALS) + " " + Deployer.PAYMENT_SYMBOL;
    }

    /** {@code hypha royalties pay ID AMOUNT}. */
    @Command(name = "pay", description = "Pay AMOUNT hUSD from your account to asset ID; it is split up the asset's lineage at once.")
    static final class Pay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The asset id.")
        long assetId;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "hUSD, e.g. 2.5")
        String amount;

        @Override
        public Integer call() {
            TokenAmount value = TokenAmount.parse(amount, Deployer.PAYMENT_DECIMALS, "amount");
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                contracts.royalties().pay(assetId, usd(contracts), value.baseUnits());
                session.out().println("Paid " + hUsd(value.baseUnits()) + " to asset #" + assetId
                        + ", split up its lineage (owners see it in `hypha royalties balance`)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha royalties balance [ACCOUNT]}. */
    @Command(name = "balance", description = "Royalties an account (yours unless given) may withdraw, in hUSD.")
    static final class Balance implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "ACCOUNT", description = "An address (default: your account).")
        String account;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Address who = account == null ? session.account() : Address.parse(account);
                HyphaContracts contracts = session.contractsForReading();
                BigInteger owed = contracts.royalties().balanceOf(usd(contracts), who);
                session.out().println(who.toChecksumString() + " may withdraw " + hUsd(owed));
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha royalties withdraw}. */
    @Command(name = "withdraw", description = "Withdraw your royalties (hUSD) to your account.")
    static final class Withdraw implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                Address me = Address.parse(contracts.account());
                BigInteger owed = contracts.royalties().balanceOf(usd(contracts), me);
                contracts.royalties().withdraw(usd(contracts), me);
                session.out().println("Withdrew " + hUsd(owed) + " to " + me.toChecksumString());
            }
            return ExitCodes.OK;
        }
    }
}
