package dev.hypha.cli;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.deploy.AssetRegistryClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import dev.hypha.node.pools.PoolShares;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha model register FILE --license SPDX [--parent ID:SHARE_BPS]...}: registers a model (or, with
 * {@code --dataset}, a dataset) in AssetRegistry as the signing account: the file's content id, an optional metadata
 * file's content id, its licence and its lineage. Added under {@code hypha model} by {@link Hypha#commandLine} (the
 * model package cannot name this class without a package cycle).
 */
@Command(name = "register", description = {"Register a model (or --dataset) on chain with its content id, licence and lineage.",
        "Parents are existing asset ids with the share of this asset's revenue each earns, in basis points",
        "(--parent 3:2500 gives asset 3 a quarter). Revenue paid to the asset is split up the lineage by these shares."})
final class ModelRegisterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The model (or dataset) file; its content id is registered.")
    Path file;

    @Option(names = "--license", required = true, paramLabel = "SPDX", description = "SPDX licence expression, e.g. Apache-2.0.")
    String license;

    @Option(names = "--terms", paramLabel = "TERMS", defaultValue = "free",
            description = "free, paid-per-use, paid-per-token or non-commercial (default: ${DEFAULT-VALUE}).")
    String terms;

    @Option(names = "--price", paramLabel = "UNITS",
            description = "Price in the payment token's smallest units: per grant (paid-per-use) or per 1,000 tokens (paid-per-token).")
    java.math.BigInteger price;

    @Option(names = "--parent", paramLabel = "ID:SHARE_BPS", description = "A parent asset and its share in basis points (repeatable, at most 8).")
    List<String> parents = new ArrayList<>();

    @Option(names = "--pool", paramLabel = "POOL:SHARE_BPS",
            description = {"Give a scored data pool's datasets SHARE_BPS of the revenue in all, split by their scores",
                    "(after the pool's scoring ended; the best scored, up to 8 parents with --parent)."})
    String pool;

    @Option(names = "--metadata", paramLabel = "FILE", description = "Model card or datasheet; its content id is registered too.")
    Path metadata;

    @Option(names = "--version-of", paramLabel = "ID", description = "Publish as the next version of this asset (you must own it).")
    Long versionOf;

    @Option(names = "--dataset", description = "Register a dataset instead of a model.")
    boolean dataset;

    @Override
    public Integer call() {
        List<LineageEdge> edges = new ArrayList<>();
        Terms parsedTerms;
        try {
            for (String p : parents) {
                edges.add(LineageEdge.parse(p));
            }
            parsedTerms = Terms.parse(terms);
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, e.getMessage());
        }
        ContentId content = contentId(file, "FILE");
        byte[] metadataId = metadata == null ? new byte[0] : contentId(metadata, "--metadata").bytes();
        try (Session session = Session.of(spec)) {
            HyphaContracts contracts = session.contractsAsSigner();
            Licence licence = licence(parsedTerms, Address.parse(contracts.deployment().address(PaymentTokenClient.NAME)));
            if (pool != null) {
                edges.addAll(poolEdges(session, contracts, pool, AssetRegistryClient.MAX_PARENTS - edges.size()));
            }
            long id = versionOf == null
                    ? contracts.assets().register(dataset ? AssetKind.DATASET : AssetKind.MODEL, content.bytes(), metadataId,
                            licence, edges)
                    : contracts.assets().publishVersion(versionOf, content.bytes(), metadataId, licence, edges);
            PrintWriter out = session.out();
            out.println("Registered " + (dataset ? "dataset" : "model") + " #" + id + " " + content + " ("
                    + TerminalText.line(licence.spdx()) + ", " + termsText(licence) + ")"
                    + (versionOf == null ? "" : " as the next version of #" + versionOf));
            for (LineageEdge e : edges) {
                out.println("  parent #" + e.parentId() + " earns " + LineageCommand.percent(e.shareBps()) + " of its revenue");
            }
            out.println("Owner: " + Address.parse(contracts.account()).toChecksumString());
        }
        return ExitCodes.OK;
    }

    private Licence licence(Terms t, Address paymentToken) {
        try {
            if (t.paid()) {
                if (price == null) {
                    throw new HyphaException(ErrorCategory.INPUT, "--terms " + terms + " needs --price UNITS (above 0)");
                }
                return new Licence(license, t, paymentToken, price);
            }
            if (price != null) {
                throw new HyphaException(ErrorCategory.INPUT, "--terms " + terms + " takes no --price");
            }
            return Licence.unpriced(license, t);
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, e.getMessage());
        }
    }

    static String termsText(Licence l) {
        String name = l.terms().name().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (l.terms()) {
            case PAID_PER_USE -> name + " " + l.price() + " units per grant";
            case PAID_PER_TOKEN -> name + " " + l.price() + " units per 1,000 tokens";
            default -> name;
        };
    }

    private static ContentId contentId(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new HyphaException(ErrorCategory.INPUT, what + " " + path + " is not a readable file");
        }
        return ContentIds.of(path);
    }

    /** The lineage edges {@code --pool POOL:SHARE_BPS} stands for (see {@link PoolShares#lineage}). */
    private static List<LineageEdge> poolEdges(Session session, HyphaContracts contracts, String text, int room) {
        String[] parts = text.split(":", -1);
        long poolId;
        int bps;
        try {
            if (parts.length != 2) throw new NumberFormatException();
            poolId = Long.parseLong(parts[0]);
            bps = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw HyphaException.input("--pool '" + TerminalText.line(text) + "' is not POOL:SHARE_BPS (e.g. 1:3000)");
        }
        if (poolId < 1) throw HyphaException.input("--pool " + poolId + " is not a pool id");
        if (room < 1) throw HyphaException.input("--pool leaves no room: --parent already names "
                + AssetRegistryClient.MAX_PARENTS + " parents");
        long now = session.chain().latestBlock().getTimestamp().longValueExact();
        return PoolShares.lineage(PoolShares.of(contracts, poolId, now), now, bps, room);
    }
}
