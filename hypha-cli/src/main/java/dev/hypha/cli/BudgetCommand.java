package dev.hypha.cli;

import dev.hypha.node.gateway.network.Budget;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha budget [set]}: how much the gateway may lock up in payment channels. Deposits are not spending: what a
 * provider does not redeem comes back when the channel closes; {@code hypha usage} shows what answers cost.
 */
@Command(name = "budget",
        description = {"Show what the gateway may deposit in payment channels (per channel and in all).",
            "The gateway opens and tops up channels to providers by itself, never beyond this budget."},
        subcommands = BudgetCommand.Set.class)
final class BudgetCommand implements Callable<Integer> {
    /** hUSD, the payment token, has 6 decimals. */
    static final int DECIMALS = 6;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Session session = Session.of(spec);
        Budget budget = Budget.load(session.home());
        PrintWriter out = session.out();
        boolean set = Files.exists(Budget.file(session.home()));
        out.println("Per channel  " + TokenAmount.format(budget.perChannel(), DECIMALS) + " hUSD");
        out.println("In all       " + TokenAmount.format(budget.total(), DECIMALS) + " hUSD");
        out.println(set ? "(from " + Budget.file(session.home()) + ")"
                : "(defaults; change with `hypha budget set --per-channel 1 --total 10`)");
        out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "set", description = "Set the deposit per channel and the most all channels may hold, in hUSD.")
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--per-channel", paramLabel = "HUSD", required = true,
                description = "What each new channel (and each top-up) deposits, e.g. 1 or 0.5.")
        String perChannel;

        @Option(names = "--total", paramLabel = "HUSD", required = true,
                description = "The most all channels together may hold, e.g. 10.")
        String total;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            Budget budget = new Budget(TokenAmount.parse(perChannel, DECIMALS, "--per-channel").baseUnits(),
                    TokenAmount.parse(total, DECIMALS, "--total").baseUnits());
            budget.save(session.home());
            session.out().println("Budget set: " + TokenAmount.format(budget.perChannel(), DECIMALS) + " hUSD per channel, "
                    + TokenAmount.format(budget.total(), DECIMALS) + " hUSD in all (" + Budget.file(session.home()) + ")");
            session.out().println("A running gateway reads it when it starts.");
            session.out().flush();
            return ExitCodes.OK;
        }
    }
}
