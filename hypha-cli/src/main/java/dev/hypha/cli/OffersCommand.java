package dev.hypha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.text.TerminalText;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.SeenProviders;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.node.offers.Offer;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hypha offers}: the network's live offers from OfferRegistry, joined with the providers' registered endpoints.
 * Reads only: needs no account and never asks for a password.
 */
@Command(name = "offers", description = {"List the inference offers providers publish on chain (live ones unless --all).",
        "Prices are per million tokens, in the payment token's smallest units.",
        "Providers this home's gateway has paid are shown with what it saw: share answered, time to first token,",
        "faults, and whether it caught them cheating (they are then routed to last)."})
final class OffersCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Option(names = "--all", description = "Also list offers whose provider stopped heartbeating (not live).")
    boolean all;

    @Override
    public Integer call() throws Exception {
        try (Session session = Session.of(spec)) {
            HyphaContracts contracts = session.contractsForReading();
            List<Offer> offers = new ChainOffers(contracts.offers(), contracts.registry()).offers();
            Instant now = now(session.chain());
            List<Offer> shown = all ? offers : offers.stream().filter(o -> o.liveAt(now)).toList();
            // Reputation is judged by this machine's clock, as the gateway that gathered it judges it.
            Instant wall = session.chain().time().now();
            ProviderStats seen = SeenProviders.read(session.home(), session.chain().chainId(), wall);
            PrintWriter out = session.out();
            if (json) {
                out.println(JSON.writeValueAsString(json(shown, now, seen, wall)));
            } else {
                table(out, shown, now);
                seen(out, shown, seen, wall);
            }
        }
        return ExitCodes.OK;
    }

    /**
     * What "now" is for liveness: the later of this machine's clock and the chain's latest block. On a public chain the
     * two agree; a local chain's block time stands still between transactions and jumps ahead when time is travelled.
     */
    static Instant now(ChainClient chain) {
        Instant block = Instant.ofEpochSecond(chain.latestBlock().getTimestamp().longValueExact());
        Instant wall = chain.time().now();
        return block.isAfter(wall) ? block : wall;
    }

    static ArrayNode json(List<Offer> offers, Instant now, ProviderStats seen, Instant wall) {
        ArrayNode array = JSON.createArrayNode();
        List<Address> known = seen.providers();
        for (Offer o : offers) {
            ObjectNode n = array.addObject();
            n.put("provider", o.provider().toChecksumString());
            n.put("endpoint", o.endpoint().toString());
            n.put("signingKey", o.signingKey().toChecksumString());
            n.put("model", o.model());
            n.put("modelId", o.modelId());
            n.put("token", o.token().toChecksumString());
            // Decimal strings: prices may exceed what JSON numbers hold exactly.
            n.put("inputPerMillion", o.inputPerMillion().toString());
            n.put("outputPerMillion", o.outputPerMillion().toString());
            n.put("contextLength", o.contextLength());
            n.put("concurrency", o.concurrency());
            n.put("liveUntil", o.liveUntil().toString());
            n.put("live", o.liveAt(now));
            if (known.contains(o.provider())) {
                ProviderStats.Standing st = seen.standing(o.provider(), wall);
                ObjectNode j = n.putObject("seen");
                j.put("standing", standing(st));
                j.put("reliability", round(st.reliability()));
                j.put("answers", round(st.answers()));
                j.put("faults", round(st.faults()));
                j.put("cheating", round(st.cheating()));
                if (st.latencyNanos() > 0) {
                    j.put("firstTokenMs", round(st.latencyNanos() / 1e6));
                }
                st.lastFault().ifPresent(f -> j.putObject("lastFault").put("at", f.at().toString())
                        .put("fault", f.fault().name()).put("detail", f.detail()));
            }
        }
        return array;
    }

    /**
     * How the gateways of this home have seen the listed providers: answers and faults weighted by age (halving every
     * {@link ProviderStats#HALF_LIFE}), the share answered, time to first token, and the newest fault.
     */
    static void seen(PrintWriter out, List<Offer> offers, ProviderStats seen, Instant wall) {
        List<Address> listed = offers.stream().map(Offer::provider).distinct()
                .filter(seen.providers()::contains).toList();
        if (listed.isEmpty()) {
            return;
        }
        out.println();
        out.println("As this home's gateway has seen them (answers and faults weigh half as much every "
                + ProviderStats.HALF_LIFE.toHours() + " h; cheating every " + ProviderStats.CHEATING_HALF_LIFE.toDays()
                + " days):");
        String format = "%-42s  %-15s  %8s  %8s  %7s  %9s  %s%n";
        out.printf(format, "PROVIDER", "STANDING", "ANSWERED", "ANSWERS", "FAULTS", "TTFT (ms)", "LAST FAULT");
        for (Address p : listed) {
            ProviderStats.Standing st = seen.standing(p, wall);
            String last = st.lastFault().map(f -> f.at().toString().substring(0, 16).replace('T', ' ') + " "
                    + f.fault().name().toLowerCase(Locale.ROOT) + ": " + TerminalText.line(f.detail())).orElse("-");
            out.printf(Locale.ROOT, format, p.toChecksumString(), standing(st),
                    String.format(Locale.ROOT, "%.0f%%", 100 * st.reliability()),
                    String.format(Locale.ROOT, "%.1f", st.answers()), String.format(Locale.ROOT, "%.1f", st.faults()),
                    st.latencyNanos() > 0 ? String.format(Locale.ROOT, "%.1f", st.latencyNanos() / 1e6) : "-",
                    last.length() > 100 ? last.substring(0, 100) + "..." : last);
        }
    }

    private static String standing(ProviderStats.Standing st) {
        return st.caughtCheating() ? "caught cheating" : st.coolingDown() ? "cooling down" : "good";
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static void table(PrintWriter out, List<Offer> offers, Instant now) {
        if (offers.isEmpty()) {
            out.println("No live offers (providers publish them with `hypha provider start`).");
            return;
        }
        String format = "%-42s  %-24s  %-14s  %12s  %12s  %8s  %4s  %-5s  %s%n";
        out.printf(format, "PROVIDER", "MODEL", "MODEL ID", "IN/1M", "OUT/1M", "CONTEXT", "CONC", "LIVE", "ENDPOINT");
        for (Offer o : offers) {
            // Model names and endpoints passed ChainOffers' checks, but are still printed as untrusted text.
            out.printf(format, o.provider().toChecksumString(), TerminalText.line(o.model()),
                    o.modelId().substring(0, 14), o.inputPerMillion(), o.outputPerMillion(), o.contextLength(),
                    o.concurrency(), o.liveAt(now) ? "yes" : "no", TerminalText.line(o.endpoint().toString()));
        }
        List<String> tokens = offers.stream().map(o -> o.token().toChecksumString()).distinct().toList();
        out.println("Prices per million tokens, in the smallest units of " + String.join(", ", tokens));
    }
}
