package dev.hypha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.text.TerminalText;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.node.offers.Offer;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
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
        "Prices are per million tokens, in the payment token's smallest units."})
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
            PrintWriter out = session.out();
            if (json) {
                out.println(JSON.writeValueAsString(json(shown, now)));
            } else {
                table(out, shown, now);
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

    static ArrayNode json(List<Offer> offers, Instant now) {
        ArrayNode array = JSON.createArrayNode();
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
        }
        return array;
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
