package dev.hypha.node.verify.opml;

import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.chain.opml.OpmlDispute;
import dev.hypha.chain.opml.OpmlReceipt;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.ReceiptFiles;
import dev.hypha.node.payments.ReceiptHeaders;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.web3j.utils.Numeric;

/**
 * The challenger of served verifiable answers, driven by {@link #poll} (one thread): it reads the opML commitments a
 * gateway stored with its payment receipts ({@code <home>/gateway/receipts-*.sqlite}), replays each answer of a model
 * it knows with IntLm ({@link OpmlChallenger}), and on a mismatch proves it at once or bonds a challenge and plays the
 * bisection to one operation ({@link OpmlGames}, which also times out a silent provider). Each file's last row read is
 * saved after every poll (durably); reading a row again is harmless (a receipt already faulted is skipped, one
 * already disputed by this account is played on), so a crash at any point loses nothing.
 */
public final class OpmlWatch {
    /** Most commitments checked per poll (each one a replay), so disputes' moves are never starved. */
    static final int MAX_CHECKS_PER_POLL = 16;

    /** What the watch has done. */
    public record Stats(long checked, long honest, long challenged, long won, long lost) {}

    private final OpmlVerifierClient client;
    private final Address self;
    private final Map<String, IntLm> models = new TreeMap<>();
    private final Supplier<List<Path>> files;
    private final Consumer<String> log;
    private final Path cursorFile;
    private final OpmlGames games;
    private final Map<String, Long> cursors;
    private long checked;
    private long honest;
    private long challenged;
    private long won;
    private long lost;

    /**
     * @param models the models it can replay (answers of others are skipped)
     * @param files  the receipt files to read (e.g. {@link #gatewayFiles})
     */
    public OpmlWatch(OpmlVerifierClient client, Address self, List<IntLm> models, Supplier<List<Path>> files,
            LongSupplier chainTime, Consumer<String> log, Path cursorFile) {
        this.client = client;
        this.self = self;
        models.forEach(m -> this.models.put(Numeric.toHexString(m.weights().root()), m));
        this.files = files;
        this.log = log;
        this.cursorFile = cursorFile;
        this.games = new OpmlGames(client, chainTime, log);
        this.cursors = readCursors(cursorFile);
    }

    /** The receipt files of the gateway whose home is {@code home}. */
    public static Supplier<List<Path>> gatewayFiles(Path home) {
        return () -> ReceiptFiles.list(home).stream().map(ReceiptFiles.Found::file).toList();
    }

    /** Checks new answers, then moves in every open dispute. */
    public void poll() {
        int budget = MAX_CHECKS_PER_POLL;
        for (Path file : files.get()) {
            if (budget <= 0) {
                break;
            }
            String key = file.toAbsolutePath().toString();
            List<PayerReceipts.OpmlRow> rows;
            try (PayerReceipts receipts = PayerReceipts.open(file)) {
                rows = receipts.opmlAfter(cursors.getOrDefault(key, 0L), budget);
            }
            for (PayerReceipts.OpmlRow row : rows) {
                budget--;
                try {
                    check(ReceiptHeaders.parseOpml(row.opml()));
                } catch (HyphaException | IllegalArgumentException e) {
                    log.accept("answer in row " + row.seq() + " of " + file.getFileName() + " not checked: "
                            + e.getMessage());
                }
                cursors.put(key, row.seq());
            }
        }
        for (OpmlGames.Ended e : games.poll()) {
            if (e.outcome() == OpmlDispute.Outcome.CHALLENGER_WON) {
                won++;
            } else {
                lost++;
            }
            log.accept("dispute " + e.disputeId() + " resolved: " + e.outcome()
                    + (e.outcome() == OpmlDispute.Outcome.CHALLENGER_WON ? " (the provider was slashed "
                    + hyp(client.slashAmount()) + ", our bond returned)" : ""));
        }
        saveCursors();
    }

    public Stats stats() {
        return new Stats(checked, honest, challenged, won, lost);
    }

    private void check(OpmlCommitment c) {
        OpmlReceipt r = c.receipt();
        IntLm model = models.get(Numeric.toHexString(r.modelRoot()));
        String what = "answer " + Numeric.toHexString(r.requestId()).substring(0, 10) + " of provider "
                + r.provider().toChecksumString();
        if (model == null) {
            log.accept(what + ": model " + Numeric.toHexString(r.modelRoot()) + " is not one this watch replays, skipped");
            return;
        }
        checked++;
        byte[] digest = client.receiptDigest(r);
        if (client.isFaulted(digest)) {
            log.accept(what + ": already proven wrong");
            return;
        }
        BigInteger open = client.openDisputeOf(digest);
        if (open.signum() != 0) {
            OpmlDispute d = client.dispute(open);
            if (d.challenger().equals(self) && !games.plays(open)) {
                games.add(new OpmlPlayer(client, open, client.openedAt(open), model.trace(c.prompt(), c.output(),
                        r.seed()), model.weights(), false));
                log.accept(what + ": playing on our dispute " + open);
            }
            return;
        }
        OpmlChallenger.Verdict v = new OpmlChallenger(client, model).check(new OpmlAnswer(c.prompt(), c.output(), r,
                c.signature(), null));
        switch (v) {
            case OpmlChallenger.Verdict.Honest h -> {
                honest++;
                log.accept(what + ": honest (the replay gives its output and trace root)");
            }
            case OpmlChallenger.Verdict.MismatchProven m -> {
                won++;
                log.accept(what + ": its own trace contradicts its output at position " + m.position()
                        + ", proven on chain: provider slashed " + hyp(client.slashAmount()));
            }
            case OpmlChallenger.Verdict.Disputed d -> {
                challenged++;
                games.add(d.player());
                log.accept(what + ": trace root differs from the replay's, challenged with a bond of "
                        + hyp(client.challengeBond()) + ": dispute " + d.player().disputeId());
            }
        }
    }

    private static String hyp(BigInteger wei) {
        return new java.math.BigDecimal(wei).movePointLeft(18).stripTrailingZeros().toPlainString() + " HYP";
    }

    private void saveCursors() {
        StringBuilder text = new StringBuilder();
        cursors.forEach((file, seq) -> text.append(seq).append(' ').append(file).append('\n'));
        try {
            Files.createDirectories(cursorFile.toAbsolutePath().getParent());
            DurableFiles.replace(cursorFile, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HyphaException.io("cannot save the opML watch's cursor " + cursorFile + ": " + e.getMessage(), e);
        }
    }

    /** Lines "SEQ PATH" (one per receipts file). */
    private static Map<String, Long> readCursors(Path file) {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HyphaException.io("cannot read the opML watch's cursor " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            int space = line.indexOf(' ');
            if (space < 1 || !line.substring(0, space).matches("[0-9]{1,18}")) {
                throw HyphaException.io("the opML watch's cursor " + file + " is damaged at '" + line + "'", null);
            }
            out.put(line.substring(space + 1), Long.parseLong(line.substring(0, space)));
        }
        return out;
    }
}
