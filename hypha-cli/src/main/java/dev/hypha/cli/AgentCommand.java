package dev.hypha.cli;

import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha agent register|account}: an agent's ERC-8004 identity (IdentityRegistry) and its smart account, whose
 * spending policy the contract enforces (AgentAccountFactory), and the agent runtime ({@link AgentRuntimeCommands}).
 */
@Command(name = "agent", description = "Register agents (ERC-8004 identity), create their policy-bound accounts, and run them.",
        subcommands = {AgentCommand.Register.class, AgentCommand.AccountCommands.class, AgentRuntimeCommands.Create.class,
                AgentRuntimeCommands.Fund.class, AgentRuntimeCommands.Run.class, AgentRuntimeCommands.Logs.class,
                AgentRuntimeCommands.Stop.class, AgentServeCommand.class})
final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCategory.USAGE.exitCode();
    }

    private static String hUsd(BigInteger units) {
        return TokenAmount.format(units, Deployer.PAYMENT_DECIMALS) + " " + Deployer.PAYMENT_SYMBOL;
    }

    /** {@code hypha agent register URI}. */
    @Command(name = "register", description = "Register an agent whose ERC-8004 registration file is at URI; you own it.")
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "URI", description = "Where the agent's registration file is (ipfs://, https://).")
        String uri;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                BigInteger id = contracts.identity().register(uri);
                session.out().println("Registered agent #" + id + " at " + dev.hypha.core.text.TerminalText.line(uri)
                        + " (owner and wallet " + session.account().toChecksumString() + ")");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha agent account create|freeze}. */
    @Command(name = "account", description = "Agent accounts: smart accounts whose spending policy the chain enforces.",
            subcommands = {Create.class, Freeze.class})
    static final class AccountCommands implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return ErrorCategory.USAGE.exitCode();
        }
    }

    /** {@code hypha agent account create --guardian ADDR --limit HUSD [--per-call HUSD] [--period 1d] [--allow ADDR]... [--fund HUSD]}. */
    @Command(name = "create", description = "Create an agent account you own, with an hUSD limit per period, a maximum per"
            + " payment and the counterparties it may pay; optionally fund it.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--guardian", required = true, description = "May freeze the account and propose recovery (not you).")
        String guardian;

        @Option(names = "--limit", required = true, description = "Most hUSD sessions may spend per period, e.g. 10")
        String limit;

        @Option(names = "--per-call", description = "Most hUSD in one payment (default: the limit).")
        String perCall;

        @Option(names = "--period", defaultValue = "1d", description = "The limit's window: Ns, Nm, Nh or Nd (default 1d).")
        String period;

        @Option(names = "--allow", description = "A counterparty the account may pay (repeatable).")
        List<String> allow = new ArrayList<>();

        @Option(names = "--recovery-delay", defaultValue = "1d", description = "How long a guardian's recovery waits (default 1d).")
        String recoveryDelay;

        @Option(names = "--name", defaultValue = "default", description = "Tells your accounts apart (hashed into its address).")
        String name;

        @Option(names = "--fund", description = "hUSD to move from your account into it.")
        String fund;

        @Override
        public Integer call() {
            BigInteger periodLimit = TokenAmount.parse(limit, Deployer.PAYMENT_DECIMALS, "--limit").baseUnits();
            BigInteger maxPerCall = perCall == null ? periodLimit
                    : TokenAmount.parse(perCall, Deployer.PAYMENT_DECIMALS, "--per-call").baseUnits();
            SpendingLimit policy = new SpendingLimit(periodLimit, maxPerCall, seconds(period, "--period"));
            Address guardianAddress = Address.parse(guardian);
            List<Address> counterparties = allow.stream().map(Address::parse).toList();
            byte[] salt = Hashes.keccak256(name.getBytes(StandardCharsets.UTF_8));
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                String usd = contracts.deployment().address(PaymentTokenClient.NAME);
                String address = contracts.agentAccounts().create(guardianAddress.lowercaseHex(),
                        seconds(recoveryDelay, "--recovery-delay"), salt);
                AgentAccountsClient.Account account = contracts.agentAccounts().at(address);
                account.setLimit(usd, policy);
                for (Address c : counterparties) {
                    account.setCounterparty(c.lowercaseHex(), true);
                }
                session.out().println("Agent account " + Address.parse(address).toChecksumString() + " (owner "
                        + session.account().toChecksumString() + ", guardian " + guardianAddress.toChecksumString() + ")");
                session.out().println("  limit " + hUsd(periodLimit) + " per " + policy.periodSeconds() + " s, at most "
                        + hUsd(maxPerCall) + " per payment, " + counterparties.size() + " allowed counterpart"
                        + (counterparties.size() == 1 ? "y" : "ies"));
                if (fund != null) {
                    BigInteger amount = TokenAmount.parse(fund, Deployer.PAYMENT_DECIMALS, "--fund").baseUnits();
                    contracts.payment().transfer(address, amount);
                    session.out().println("  funded with " + hUsd(amount) + "; balance "
                            + hUsd(contracts.payment().balanceOf(address)));
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha agent account freeze ADDRESS}. */
    @Command(name = "freeze", description = "Stop every session of an agent account at once (its owner or guardian).")
    static final class Freeze implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ADDRESS", description = "The agent account.")
        String address;

        @Override
        public Integer call() {
            Address account = Address.parse(address);
            try (Session session = Session.of(spec)) {
                session.contractsAsSigner().agentAccounts().at(account.lowercaseHex()).freeze();
                session.out().println("Froze agent account " + account.toChecksumString() + ": no session key can spend"
                        + " until its owner unfreezes it");
            }
            return ExitCodes.OK;
        }
    }

    /** Seconds of "30s", "15m", "12h", "7d" (or a bare number of seconds). */
    static long seconds(String text, String option) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,9})([smhd]?)").matcher(text.strip());
        if (!m.matches()) {
            throw HyphaException.input(option + " '" + text + "' must be a number of seconds or Ns, Nm, Nh, Nd");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86_400;
            default -> n;
        };
    }
}
