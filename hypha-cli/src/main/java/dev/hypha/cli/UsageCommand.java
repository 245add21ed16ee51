package dev.hypha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.ReceiptFiles;
import dev.hypha.node.payments.Usage;
import dev.hypha.node.payments.UsageFilter;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha usage}: what paid requests cost, per UTC day, model, provider and token, summed from the receipts the
 * gateway stored ({@link ReceiptFiles}: one file per chain and paying account). Reads only; works without a chain.
 */
@Command(name = "usage",
        description = {"Show what paid requests cost per day, model and provider, from the gateway's stored receipts.",
            "Reads <home>/gateway/receipts-*.sqlite (only the --account's files when --account is given)."})
final class UsageCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the rows as a JSON array (amounts as strings of smallest units).")
    boolean json;

    @Option(names = "--since", paramLabel = "DAY", description = "Only receipts from this UTC day on (YYYY-MM-DD).")
    String since;

    @Option(names = "--model", paramLabel = "NAME", description = "Only this model (as clients named it).")
    String model;

    @Option(names = "--provider", paramLabel = "ADDR", description = "Only this provider's receipts.")
    String provider;

    /** One file's rows, with what its name says about chain and payer. */
    private record Spent(ReceiptFiles.Found file, List<Usage> rows) {}

    @Override
    public Integer call() {
        Session session = Session.of(spec);
        UsageFilter filter = filter();
        Optional<Address> account = Optional.ofNullable(Hypha.of(spec).account).map(UsageCommand::accountOption);
        List<ReceiptFiles.Found> files = ReceiptFiles.list(session.home()).stream()
                .filter(f -> account.isEmpty() || f.payer().equals(account)).toList();
        List<Spent> spent = new ArrayList<>();
        for (ReceiptFiles.Found f : files) {
            try (PayerReceipts receipts = PayerReceipts.open(f.file())) {
                List<Usage> rows = receipts.usage(filter, f.payerLedger());
                if (!rows.isEmpty()) {
                    spent.add(new Spent(f, rows));
                }
            }
        }
        TokenLabels labels = new TokenLabels(session.deployments());
        PrintWriter out = session.out();
        if (json) {
            out.println(toJson(spent, labels));
        } else if (spent.isEmpty()) {
            out.println(nothing(session.home(), files.isEmpty(), account));
        } else {
            printTables(out, spent, labels, spent.size() > 1 || files.size() > 1);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private UsageFilter filter() {
        Optional<LocalDate> day = Optional.empty();
        if (since != null) {
            try {
                day = Optional.of(LocalDate.parse(since.strip()));
            } catch (DateTimeParseException e) {
                throw HyphaException.input("--since '" + TerminalText.line(since) + "' is not a day: expected "
                        + "YYYY-MM-DD, for example 2026-12-01");
            }
        }
        Optional<Address> from = Optional.empty();
        if (provider != null) {
            try {
                from = Optional.of(Address.parse(provider.strip()));
            } catch (IllegalArgumentException | HyphaException e) {
                throw HyphaException.input("--provider: " + e.getMessage());
            }
        }
        return new UsageFilter(day, Optional.ofNullable(model), from);
    }

    private static Address accountOption(String text) {
        try {
            return Address.parse(text.strip());
        } catch (IllegalArgumentException | HyphaException e) {
            throw HyphaException.input("--account: " + e.getMessage());
        }
    }

    private String nothing(Path home, boolean noFiles, Optional<Address> account) {
        String where = ReceiptFiles.folder(home).toString();
        String whose = account.map(a -> " for account " + a.toChecksumString()).orElse("");
        if (noFiles) {
            return "No paid requests yet: no receipts" + whose + " in " + where
                    + " (the gateway stores one for every paid answer).";
        }
        boolean filtered = since != null || model != null || provider != null;
        return filtered ? "No paid requests match --since/--model/--provider in " + where + "."
                : "No paid requests yet: the receipts" + whose + " in " + where + " are empty.";
    }

    private static void printTables(PrintWriter out, List<Spent> spent, TokenLabels labels, boolean nameFiles) {
        for (int i = 0; i < spent.size(); i++) {
            Spent s = spent.get(i);
            if (i > 0) {
                out.println();
            }
            if (nameFiles) {
                out.println(describe(s.file()));
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"DAY", "MODEL", "PROVIDER", "REQUESTS", "TOKENS IN", "TOKENS OUT", "UNITS", "AMOUNT"});
            Map<Optional<Address>, BigInteger> totals = new LinkedHashMap<>();
            long requests = 0;
            for (Usage u : s.rows()) {
                TokenLabels.Label label = labels.of(s.file().chainId(), u.token());
                rows.add(new String[] {u.day(), u.model(), u.provider().toChecksumString(), Long.toString(u.requests()),
                    Long.toString(u.tokensIn()), Long.toString(u.tokensOut()), u.amount().toString(),
                    label.amount(u.amount())});
                totals.merge(u.token(), u.amount(), BigInteger::add);
                requests += u.requests();
            }
            Table.print(out, rows, 3, 4, 5, 6);
            for (Map.Entry<Optional<Address>, BigInteger> t : totals.entrySet()) {
                TokenLabels.Label label = labels.of(s.file().chainId(), t.getKey());
                out.println("Total: " + label.amount(t.getValue()) + " (" + t.getValue() + " units) over " + requests
                        + (requests == 1 ? " request" : " requests"));
            }
        }
    }

    private static String describe(ReceiptFiles.Found f) {
        if (f.chainId().isEmpty() || f.payer().isEmpty()) {
            return "Receipts in " + f.file() + ":";
        }
        return "Chain " + f.chainId().getAsLong() + ", payer " + f.payer().get().toChecksumString() + " ("
                + f.file() + "):";
    }

    private static String toJson(List<Spent> spent, TokenLabels labels) {
        ArrayNode rows = JSON.createArrayNode();
        for (Spent s : spent) {
            for (Usage u : s.rows()) {
                ObjectNode row = rows.addObject();
                if (s.file().chainId().isPresent()) {
                    row.put("chain_id", s.file().chainId().getAsLong());
                } else {
                    row.putNull("chain_id");
                }
                row.put("payer", s.file().payer().map(Address::toChecksumString).orElse(null));
                row.put("day", u.day());
                row.put("model", u.model());
                row.put("provider", u.provider().toChecksumString());
                row.put("requests", u.requests());
                row.put("input_tokens", u.tokensIn());
                row.put("output_tokens", u.tokensOut());
                // uint256: a JSON number above 2^53 loses digits in most parsers, so the exact figure is a string
                row.put("amount", u.amount().toString());
                row.put("token", u.token().map(Address::toChecksumString).orElse(null));
                TokenLabels.Label label = labels.of(s.file().chainId(), u.token());
                row.put("symbol", label.symbol().orElse(null));
                if (label.decimals().isPresent()) {
                    row.put("decimals", label.decimals().getAsInt());
                } else {
                    row.putNull("decimals");
                }
            }
        }
        try {
            return JSON.writeValueAsString(rows);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }
}
