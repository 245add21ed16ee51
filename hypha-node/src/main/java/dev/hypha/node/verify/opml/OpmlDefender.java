package dev.hypha.node.verify.opml;

import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.chain.opml.OpmlDispute;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.ml.opml.Trace;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The provider side of opML disputes, run beside a provider that serves verifiable models, driven by {@link #poll}
 * (one thread): it follows OpmlVerifier's {@code Challenged} events, and for each dispute over one of its receipts it
 * recomputes the trace it committed from the answer it kept ({@link OpmlAnswerLog}) with the model it runs, and plays
 * the game from that trace to the end ({@link OpmlPlayer}), ending by timeout a round the challenger lets pass. An
 * answer no longer kept (the log keeps the newest ones, and a challenge has no age limit) is read back from the
 * challenge transaction's input, which carries the signed receipt and both token strings the contract checked. The
 * first block still worth reading (the oldest dispute it plays, or past the last it saw) is saved after every poll, so
 * a restarted provider takes up its open disputes again. A bounded read that ends inside a block is cut back to the
 * blocks it read whole, and a block holding more than the bound is read alone, so a flood of challenges in one block
 * never holds the cursor still.
 */
public final class OpmlDefender {
    /** Most new disputes read per poll. */
    static final int MAX_EVENTS = 256;

    private final OpmlVerifierClient client;
    private final Address self;
    private final OpmlAnswerLog answers;
    private final Function<byte[], Optional<IntLm>> runs;
    private final Consumer<String> log;
    private final Path cursorFile;
    private final OpmlGames games;
    private final Set<BigInteger> seen = new HashSet<>();
    private final Map<BigInteger, Long> openSince = new TreeMap<>();
    private final int maxEvents;
    private long fromBlock;

    /**
     * @param runs the model this provider runs for a claimed weight root (empty: not one it serves)
     */
    public OpmlDefender(OpmlVerifierClient client, Address self, OpmlAnswerLog answers,
            Function<byte[], Optional<IntLm>> runs, LongSupplier chainTime, Consumer<String> log, Path cursorFile) {
        this(client, self, answers, runs, chainTime, log, cursorFile, MAX_EVENTS);
    }

    /** As above, reading at most {@code maxEvents} new disputes per poll (tests use a small bound). */
    OpmlDefender(OpmlVerifierClient client, Address self, OpmlAnswerLog answers, Function<byte[], Optional<IntLm>> runs,
            LongSupplier chainTime, Consumer<String> log, Path cursorFile, int maxEvents) {
        this.maxEvents = maxEvents;
        this.client = client;
        this.self = self;
        this.answers = answers;
        this.runs = runs;
        this.log = log;
        this.cursorFile = cursorFile;
        this.games = new OpmlGames(client, chainTime, log);
        // A provider's first start: no receipt of it can have been challenged before now.
        this.fromBlock = Files.exists(cursorFile) ? readCursor(cursorFile) : client.headBlock();
    }

    /** Takes up new disputes over this provider's receipts and moves in every open one. */
    public void poll() {
        for (OpmlVerifierClient.Challenged c : newDisputes()) {
            if (c.provider().equals(self) && seen.add(c.disputeId())) {
                takeUp(c);
            }
        }
        for (OpmlGames.Ended e : games.poll()) {
            openSince.remove(e.disputeId());
            log.accept("dispute " + e.disputeId() + " resolved: " + e.outcome()
                    + (e.outcome() == OpmlDispute.Outcome.PROVIDER_WON ? " (the challenger's bond is ours)"
                    : e.outcome() == OpmlDispute.Outcome.CHALLENGER_WON ? " (this provider was slashed)" : ""));
        }
        saveCursor();
    }

    /**
     * The disputes opened since the cursor, in blocks read whole, and the cursor moved past them: a read that hit the
     * bound drops its last block (it may be cut) for the next poll, unless that is the only block read, which is
     * then read alone.
     */
    private List<OpmlVerifierClient.Challenged> newDisputes() {
        long head = client.headBlock();
        List<OpmlVerifierClient.Challenged> events = client.challengedSince(fromBlock, maxEvents);
        if (events.size() < maxEvents) {
            // read up to the head: the next poll starts there (its block read again, harmlessly: seen), not at the start
            fromBlock = Math.max(fromBlock, Math.max(head, events.isEmpty() ? head : events.getLast().block()));
            return events;
        }
        long last = events.getLast().block();
        if (events.getFirst().block() == last) {
            fromBlock = last + 1;
            return client.challengedIn(last);
        }
        fromBlock = last;
        return events.stream().filter(c -> c.block() < last).toList();
    }

    private void takeUp(OpmlVerifierClient.Challenged c) {
        OpmlDispute d = client.dispute(c.disputeId());
        if (d.phase() == OpmlDispute.Phase.RESOLVED) {
            return;
        }
        Optional<OpmlAnswerLog.Kept> kept = answers.find(c.receiptDigest()).or(() -> fromChallenge(c));
        Optional<IntLm> model = runs.apply(d.modelRoot());
        if (kept.isEmpty() || model.isEmpty()) {
            log.accept("dispute " + c.disputeId() + " challenges a receipt of this provider that it cannot defend ("
                    + (kept.isEmpty() ? "the answer was not kept, and the challenge transaction " + c.transactionHash()
                    + " does not carry it (sent through another contract?)" : "a model it does not serve")
                    + "): it will be lost");
            return;
        }
        OpmlAnswerLog.Kept k = kept.get();
        Trace trace = model.get().trace(k.prompt(), k.output(), k.seed());
        if (!Arrays.equals(trace.root(), d.providerRoot())) {
            log.accept("dispute " + c.disputeId() + ": the kept answer does not give the committed trace root");
            return;
        }
        games.add(new OpmlPlayer(client, c.disputeId(), c.block(), trace, model.get().weights(), true));
        openSince.put(c.disputeId(), c.block());
        log.accept("dispute " + c.disputeId() + " opened by " + c.challenger().toChecksumString()
                + " over a receipt of this provider: defending it from the trace committed");
    }

    /** The challenged answer as the challenge transaction carries it (for one the log no longer keeps). */
    private Optional<OpmlAnswerLog.Kept> fromChallenge(OpmlVerifierClient.Challenged c) {
        Optional<OpmlAnswerLog.Kept> k = client.challengedAnswer(c).map(a -> new OpmlAnswerLog.Kept(a.prompt(),
                a.output(), a.receipt().seed(), a.receipt().requestId()));
        k.ifPresent(x -> log.accept("dispute " + c.disputeId() + ": the answer is no longer kept; read it back from the "
                + "challenge transaction " + c.transactionHash()));
        return k;
    }

    /** Disputes being played now. */
    public int open() {
        return games.open();
    }

    private void saveCursor() {
        long keep = openSince.values().stream().mapToLong(Long::longValue).min().orElse(fromBlock);
        try {
            Files.createDirectories(cursorFile.toAbsolutePath().getParent());
            DurableFiles.replace(cursorFile, Long.toString(keep).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw HyphaException.io("cannot save the opML defender's cursor " + cursorFile + ": " + e.getMessage(), e);
        }
    }

    private static long readCursor(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!s.matches("[0-9]{1,18}")) {
                throw HyphaException.io("the opML defender's cursor " + file + " is damaged: '" + s + "'", null);
            }
            return Long.parseLong(s);
        } catch (IOException e) {
            throw HyphaException.io("cannot read the opML defender's cursor " + file + ": " + e.getMessage(), e);
        }
    }
}
