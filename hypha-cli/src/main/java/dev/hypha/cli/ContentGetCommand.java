package dev.hypha.cli;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.trustless.GatewayFetch;
import dev.hypha.node.trustless.TrustlessGateway;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha content get CID --from URL [--car] [--out FILE]}: fetches a file from any IPFS trustless gateway (a
 * Hypha provider, a Helia or Kubo node, a public gateway), verifies every block against its CID, and stores it in the
 * content store as {@code <home>/content/blobs/<cid>} (where {@code hypha dataset} and training read content from).
 */
@Command(name = "get", description = {"Fetch a file by content id from an IPFS trustless gateway, verifying every block,",
        "and store it under <home>/content/blobs/<cid> (and at --out FILE if given)."})
final class ContentGetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CID", description = "The content id (CIDv1 in base32, bafk... or bafy...).")
    String cid;

    @Option(names = "--from", required = true, paramLabel = "URL",
            description = "The gateway's base URL, the part before /ipfs/ (e.g. http://127.0.0.1:8080).")
    URI from;

    @Option(names = "--car", description = "Ask for one CAR stream (?format=car) instead of one request per block (?format=raw).")
    boolean car;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the file here (replaced only once verified).")
    Path out;

    @Option(names = "--max-size", paramLabel = "BYTES", description = "Refuse a file larger than this (default: 64 GiB).")
    long maxSize = 64L << 30;

    @Override
    public Integer call() throws IOException {
        ContentId id = ContentId.parse(cid);
        if (maxSize < 1) throw HyphaException.input("--max-size must be positive, was " + maxSize);
        Session session = Session.of(spec);
        PrintWriter err = spec.commandLine().getErr();
        Path stored = new ContentStore(session.home()).blobPath(id);
        GatewayFetch.Mode mode = car ? GatewayFetch.Mode.CAR : GatewayFetch.Mode.RAW;
        err.println("Fetching " + id + " from " + TerminalText.line(from.toString()) + " ("
                + (car ? "one CAR stream" : "block by block") + ", every block verified)...");
        err.flush();
        GatewayFetch.Result result;
        dev.hypha.cli.model.TransferBar bar = new dev.hypha.cli.model.TransferBar(err, System::nanoTime);
        String label = "fetching " + id.toString().substring(id.toString().length() - 12);
        try (TrustlessGateway gateway = new TrustlessGateway(from)) {
            result = new GatewayFetch(gateway, maxSize).fetch(id, mode, stored,
                    (done, total) -> { if (total > 0) bar.update(label, done, total); });
        } finally {
            bar.finish();
        }
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "." + out.getFileName() + ".", ".part");
            try {
                Files.copy(stored, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        PrintWriter stdout = session.out();
        stdout.println(id + "  " + result.bytes() + " bytes, " + result.blocksReceived() + " blocks verified");
        stdout.println("  stored " + TerminalText.line(stored.toString()));
        if (out != null) stdout.println("  written " + TerminalText.line(out.toString()));
        stdout.flush();
        return ExitCodes.OK;
    }
}
