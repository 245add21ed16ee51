package dev.hypha.cli;

import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha compute bids ORDER}: an order's terms and its bids as the market holds them (read only, no password):
 * each bid's provider, price and the resources it offers, marked as attested by the order's auditor when the order
 * names one (the market takes no other bids on such an order).
 */
@Command(name = "bids", description = "An order's terms and its bids: provider, price per hour, resources offered, and the "
        + "auditor that attested them when the order requires one.")
final class ComputeBidsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ORDER", description = "The order id.")
    String order;

    @Override
    public Integer call() {
        BigInteger id = TrainJobCommands.orderId(order);
        try (Session session = Session.of(spec)) {
            ComputeMarketClient market = session.contractsForReading().compute();
            ComputeOrder o = market.order(id);
            if (o.state() == OrderState.NONE) {
                throw new HyphaException(ErrorCategory.NOT_FOUND, "there is no order " + id + " on ComputeMarket "
                        + market.address().toChecksumString());
            }
            PrintWriter out = session.out();
            out.println("order " + id + ": " + o.state() + ", needs " + resources(o.needs()) + ", pays at most "
                    + o.maxPricePerHour() + " units/hour"
                    + (o.auditor().equals(Address.ZERO) ? "" : "; bids must be attested by auditor " + o.auditor().toChecksumString()));
            print(out, o, market.bids(id), "  ");
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** One line per bid (what `train status` shows for an open order too). */
    static void print(PrintWriter out, ComputeOrder o, List<ComputeBid> bids, String indent) {
        if (bids.isEmpty()) {
            out.println(indent + "no bids yet");
        }
        for (int i = 0; i < bids.size(); i++) {
            ComputeBid b = bids.get(i);
            boolean won = o.state() != OrderState.OPEN && b.provider().equals(o.provider()) && !b.withdrawn();
            out.println(indent + "bid " + i + ": " + b.provider().toChecksumString() + " at " + b.pricePerHour() + " units/hour, "
                    + resources(b.offered())
                    + (o.auditor().equals(Address.ZERO) ? "" : " (attested by " + o.auditor().toChecksumString() + ")")
                    + (b.withdrawn() ? " [withdrawn]" : won ? " [leased]" : ""));
        }
    }

    static String resources(Resources r) {
        return r.cores() + " core(s), " + r.memoryMiB() + " MiB" + (r.accelerators() > 0 ? ", " + r.accelerators()
                + " accelerator(s)" : "");
    }
}
