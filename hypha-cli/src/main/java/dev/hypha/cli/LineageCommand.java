package dev.hypha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.LineageNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.text.TerminalText;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha lineage ID}: the lineage of an asset from AssetRegistry, as a tree in the terminal or as JSON. Reads only:
 * needs no account.
 */
@Command(name = "lineage", description = {"Show what an asset (model or dataset) was built from, with each parent's revenue share.",
        "A shared ancestor is expanded once and marked (see above) elsewhere."})
final class LineageCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The asset id.")
    long id;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "8", description = "Generations of ancestors to show (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--json", description = "Print the tree as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Session session = Session.of(spec)) {
            LineageNode root = session.contractsForReading().assets().lineage(id, depth);
            PrintWriter out = session.out();
            if (json) {
                out.println(JSON.writeValueAsString(json(root, true)));
            } else {
                out.println(line(root));
                tree(out, root.parents(), "");
            }
        }
        return ExitCodes.OK;
    }

    private static void tree(PrintWriter out, List<LineageNode> nodes, String indent) {
        for (int i = 0; i < nodes.size(); i++) {
            boolean last = i == nodes.size() - 1;
            LineageNode n = nodes.get(i);
            out.println(indent + (last ? "└── " : "├── ") + percent(n.shareBps()) + "  " + line(n));
            tree(out, n.parents(), indent + (last ? "    " : "│   "));
        }
    }

    /** One asset as a line: id, kind, content id, licence, status, owner, and whether the walk stopped at it. */
    static String line(LineageNode n) {
        AssetRecord a = n.asset();
        String status = a.status().name().toLowerCase(Locale.ROOT);
        return "#" + a.id() + " " + a.kind().name().toLowerCase(Locale.ROOT) + " " + cid(a.contentId()) + "  "
                + TerminalText.line(a.licence().spdx()) + ", " + ModelRegisterCommand.termsText(a.licence())
                + (status.equals("active") ? "" : "  [" + status + "]") + "  owner " + a.owner().toChecksumString()
                + (n.repeated() ? "  (see above)" : "") + (n.truncated() ? "  (… more lineage, raise --depth)" : "");
    }

    /** Basis points as a percentage with two decimals (2500 → 25.00%). */
    static String percent(int bps) {
        return String.format(Locale.ROOT, "%d.%02d%%", bps / 100, bps % 100);
    }

    /** A content id as its base32 text, or hex when the bytes are not a CID (the registry stores any bytes). */
    private static String cid(byte[] bytes) {
        try {
            return ContentId.fromBytes(bytes).toString();
        } catch (RuntimeException e) {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
    }

    private static ObjectNode json(LineageNode n, boolean root) {
        AssetRecord a = n.asset();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", a.id());
        if (!root) {
            o.put("shareBps", n.shareBps()); // of the child's revenue
        }
        o.put("kind", a.kind().name().toLowerCase(Locale.ROOT));
        o.put("status", a.status().name().toLowerCase(Locale.ROOT));
        o.put("owner", a.owner().toChecksumString());
        o.put("contentId", cid(a.contentId()));
        if (a.metadataId().length > 0) {
            o.put("metadataId", cid(a.metadataId()));
        }
        ObjectNode licence = o.putObject("licence");
        licence.put("spdx", a.licence().spdx());
        licence.put("terms", a.licence().terms().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (a.licence().terms().paid()) {
            licence.put("token", a.licence().token().toChecksumString());
            licence.put("price", a.licence().price().toString()); // a decimal string: may exceed JSON's exact numbers
        }
        if (a.previousVersion() != 0) {
            o.put("previousVersion", a.previousVersion());
        }
        if (a.nextVersion() != 0) {
            o.put("nextVersion", a.nextVersion());
        }
        if (n.repeated()) {
            o.put("repeated", true);
        }
        if (n.truncated()) {
            o.put("truncated", true);
        }
        var parents = o.putArray("parents");
        for (LineageNode p : n.parents()) {
            parents.add(json(p, false));
        }
        return o;
    }
}
