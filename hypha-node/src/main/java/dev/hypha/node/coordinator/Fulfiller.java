package dev.hypha.node.coordinator;

import dev.hypha.chain.coordinator.DataKind;
import dev.hypha.chain.coordinator.Fulfilment;
import dev.hypha.chain.coordinator.InferenceReceipt;
import dev.hypha.chain.coordinator.InferenceRequest;
import dev.hypha.chain.coordinator.RequestState;
import dev.hypha.chain.coordinator.RequestStatus;
import dev.hypha.chain.deploy.InferenceCoordinatorClient;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.IndexedEvent;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.provider.Prices;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The provider side of inference requested by contracts. Each {@link #poll()} catches the event indexer up with the
 * chain and handles the next page of InferenceCoordinator requests after the last one handled: a request for a model
 * this provider serves, still open on chain, with time left and a maximum fee that covers this provider's price for
 * its whole budget, is claimed in the {@link FulfilmentLog} (durably, before any work), run through the
 * {@link InferenceBackend} as {@link CoordinatorPrompt} defines, and answered on chain with a receipt signed by the
 * provider's signing key. Everything else is skipped with a log line saying why. {@link #collectFees()} pays out the
 * fees of answers whose challenge window has ended.
 *
 * <p>Requests come from the chain and are treated as hostile: every field is parsed with bounds (the contract's), the
 * model must be one served here, the input must be UTF-8, and the work per poll is bounded (a page of events, each at
 * most maxOutputTokens of generation). A request is answered at most once, even across restarts.
 */
public final class Fulfiller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fulfiller.class);

    /**
     * How much one poll may do.
     *
     * @param eventsPerPoll         most request events handled per poll
     * @param feesPerPoll           most fee withdrawals tried per {@link #collectFees()}
     * @param deadlineMarginSeconds requests with less time left than this are skipped (the answer would land late)
     */
    public record Settings(int eventsPerPoll, int feesPerPoll, long deadlineMarginSeconds) {
        /** 32 events and 32 fees per poll; at least 10 s left before a deadline. */
        public static final Settings DEFAULT = new Settings(32, 32, 10);

        public Settings {
            if (eventsPerPoll < 1 || feesPerPoll < 1 || deadlineMarginSeconds < 0) {
                throw new IllegalArgumentException("eventsPerPoll and feesPerPoll must be >= 1 and the deadline margin"
                        + " >= 0, were " + eventsPerPoll + ", " + feesPerPoll + " and " + deadlineMarginSeconds);
            }
        }
    }

    /** What happened to one request event. */
    public enum Outcome {
        /** Answered on chain. */
        ANSWERED,
        /** Not for this provider, or not answerable (see the detail). */
        SKIPPED,
        /** Claimed earlier (answered or tried); never answered twice. */
        ALREADY_HANDLED,
        /** Claimed, but the work or the submission failed (see the detail); not retried. */
        FAILED
    }

    /**
     * One handled request event.
     *
     * @param requestId the request (empty when the event could not even be read)
     * @param outcome   what happened
     * @param detail    why, in words
     */
    public record Handled(Optional<BigInteger> requestId, Outcome outcome, String detail) {}

    private final EventIndexer indexer;
    private final InferenceCoordinatorClient coordinator;
    private final Address provider;
    private final InferenceBackend backend;
    private final ServedModels models;
    private final Prices prices;
    private final Function<TypedData, Signature> signingKey;
    private final FulfilmentLog log;
    private final LongSupplier chainNow;
    private final Settings settings;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private volatile Thread follower;
    private volatile boolean stopping;

    /**
     * @param indexer     follows the coordinator's events (at least InferenceRequested; see {@link #indexerFor})
     * @param coordinator the coordinator, connected as the provider's account (which sends the answers)
     * @param backend     the engine that answers
     * @param prices      what this provider charges
     * @param signingKey  signs receipts with the provider's registered signing key (which never leaves its signer)
     * @param log         the durable record of requests taken on
     * @param chainNow    the chain's current time in unix seconds (the latest block's timestamp)
     */
    public Fulfiller(EventIndexer indexer, InferenceCoordinatorClient coordinator, InferenceBackend backend, Prices prices,
                     Function<TypedData, Signature> signingKey, FulfilmentLog log, LongSupplier chainNow,
                     Settings settings) {
        this.indexer = Objects.requireNonNull(indexer, "indexer");
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.models = new ServedModels(backend);
        this.prices = Objects.requireNonNull(prices, "prices");
        this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
        this.log = Objects.requireNonNull(log, "log");
        this.chainNow = Objects.requireNonNull(chainNow, "chainNow");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.provider = Address.parse(coordinator.account());
    }

    /** An indexer of the coordinator's events alone, from the block it was deployed in, kept in {@code file}. */
    public static EventIndexer indexerFor(dev.hypha.chain.rpc.ChainClient client, java.nio.file.Path file,
                                          dev.hypha.chain.deploy.Deployment deployment, EventIndexer.Options options) {
        String name = InferenceCoordinatorClient.NAME;
        return new EventIndexer(client, file, List.of(new dev.hypha.chain.indexer.WatchedContract(name,
                deployment.address(name), dev.hypha.chain.abi.HyphaAbis.load(name))),
                deployment.contracts().get(name).block(), options, dev.hypha.chain.indexer.EventListener.NONE);
    }

    /** The content-id digest (0x + 64 hex) requests name {@code model} by, as this fulfiller matches it. */
    public static String modelId(dev.hypha.node.gateway.ModelInfo model) {
        return model.digestHex();
    }

    /** Catches up with the chain and handles the next page of requests (at most {@link Settings#eventsPerPoll}). */
    public synchronized List<Handled> poll() {
        indexer.poll();
        FulfilmentLog.Cursor from = log.cursor().orElse(new FulfilmentLog.Cursor(-1, -1));
        List<IndexedEvent> page = indexer.eventsAfter(InferenceCoordinatorClient.NAME, InferenceRequest.EVENT,
                from.blockNumber(), from.logIndex(), settings.eventsPerPoll());
        List<Handled> handled = new ArrayList<>();
        for (IndexedEvent e : page) {
            if (stopping) {
                break;
            }
            Handled h = handle(e);
            LOG.info("coordinator request {}: {} ({})", h.requestId().map(BigInteger::toString).orElse("?"), h.outcome(),
                    h.detail());
            handled.add(h);
            log.advance(new FulfilmentLog.Cursor(e.blockNumber(), e.logIndex()));
        }
        return handled;
    }

    /**
     * Pays out the fees of this provider's answers whose challenge window has ended (at most
     * {@link Settings#feesPerPoll} tries).
     *
     * @return the requests whose fee was paid to this provider now (or was found paid already)
     */
    public synchronized List<BigInteger> collectFees() {
        long now = chainNow.getAsLong();
        List<BigInteger> paid = new ArrayList<>();
        for (BigInteger id : log.awaitingFee(settings.feesPerPoll())) {
            try {
                RequestState s = coordinator.state(id);
                if (s.status() == RequestStatus.FULFILLED && now >= s.challengeEndsAt()) {
                    coordinator.withdrawFee(id);
                    s = coordinator.state(id);
                }
                if (s.status() == RequestStatus.PAID && s.provider().equals(provider)) {
                    log.paid(id);
                    paid.add(id);
                } else if (s.status() == RequestStatus.CHALLENGED) {
                    LOG.warn("coordinator request {}: the answer is challenged; its fee of {} stays locked", id, s.fee());
                    log.failed(id, "challenged by the requester; fee locked until the dispute is decided");
                } else if (s.status() != RequestStatus.FULFILLED) {
                    log.failed(id, "on chain it is " + s.status() + " by " + s.provider() + ", not answered by us");
                }
            } catch (RuntimeException e) {
                LOG.warn("coordinator request {}: could not collect its fee yet: {}", id, e.getMessage());
            }
        }
        return paid;
    }

    private Handled handle(IndexedEvent e) {
        InferenceRequest r;
        try {
            r = InferenceRequest.fromEvent(e.name(), e.args(), e.blockNumber());
        } catch (RuntimeException malformed) {
            return new Handled(Optional.empty(), Outcome.SKIPPED, "malformed request event in block " + e.blockNumber()
                    + ": " + malformed.getMessage());
        }
        Optional<BigInteger> id = Optional.of(r.requestId());
        if (log.status(r.requestId()).isPresent()) {
            return new Handled(id, Outcome.ALREADY_HANDLED, "claimed before: " + log.status(r.requestId()).get());
        }
        Optional<String> model = models.nameOf(r.model());
        if (model.isEmpty()) {
            return new Handled(id, Outcome.SKIPPED, "model " + r.model() + " is not served here");
        }
        if (r.inputKind() != DataKind.INLINE) {
            return new Handled(id, Outcome.SKIPPED, "inputs given by content id are not supported yet");
        }
        Optional<String> prompt = utf8(r.input());
        if (prompt.isEmpty()) {
            return new Handled(id, Outcome.SKIPPED, "input is not valid UTF-8 text");
        }
        RequestState state = coordinator.state(r.requestId());
        if (state.status() != RequestStatus.OPEN) {
            return new Handled(id, Outcome.SKIPPED, "it is " + state.status() + " on chain");
        }
        if (!state.requestHash().equals(r.requestHash())) {
            return new Handled(id, Outcome.SKIPPED, "the event's request hash " + r.requestHash()
                    + " is not the chain's " + state.requestHash() + " (reorganised?)");
        }
        long left = r.deadline() - chainNow.getAsLong();
        if (left < settings.deadlineMarginSeconds()) {
            return new Handled(id, Outcome.SKIPPED, "only " + Math.max(left, 0) + " s left before its deadline");
        }
        GenerateCall call = CoordinatorPrompt.call(model.get(), prompt.get(), r.maxOutputTokens());
        TokenBudget budget;
        try {
            budget = backend.budget(call);
        } catch (RuntimeException refused) {
            return new Handled(id, Outcome.SKIPPED, "the engine refuses it: " + refused.getMessage());
        }
        BigInteger maximum = prices.maximum(budget);
        if (maximum.compareTo(r.maxFee()) > 0) {
            return new Handled(id, Outcome.SKIPPED, "its max fee " + r.maxFee() + " is below our price of up to " + maximum);
        }
        if (!log.claim(r.requestId(), r.requestHash())) {
            return new Handled(id, Outcome.ALREADY_HANDLED, "claimed before");
        }
        try {
            return answer(r, model.get(), call);
        } catch (RuntimeException failed) {
            return afterFailure(r, String.valueOf(failed.getMessage()));
        }
    }

    /**
     * A failure while answering may have come after the answer reached the chain (say, while waiting for its receipt):
     * the chain decides whether it counts as submitted, so its fee is still collected.
     */
    private Handled afterFailure(InferenceRequest r, String reason) {
        Optional<BigInteger> id = Optional.of(r.requestId());
        try {
            RequestState s = coordinator.state(r.requestId());
            if (s.status() != RequestStatus.OPEN && s.status() != RequestStatus.REFUNDED && s.provider().equals(provider)) {
                log.submitted(r.requestId(), "unknown", s.fee());
                return new Handled(id, Outcome.ANSWERED, "answered (the chain says so) despite: " + reason);
            }
        } catch (RuntimeException unreachable) {
            reason = reason + "; and the chain could not be asked whether the answer landed: " + unreachable.getMessage();
        }
        log.failed(r.requestId(), reason);
        return new Handled(id, Outcome.FAILED, reason);
    }

    private Handled answer(InferenceRequest r, String model, GenerateCall call) {
        Completion c = backend.generate(call, TextSink.DISCARD);
        byte[] output = c.text().getBytes(StandardCharsets.UTF_8);
        if (output.length > DataKind.MAX_INLINE) {
            throw new IllegalStateException("the answer is " + output.length + " bytes, over the coordinator's "
                    + DataKind.MAX_INLINE);
        }
        BigInteger fee = prices.cost(c.promptTokens(), c.generatedTokens()).min(r.maxFee());
        InferenceReceipt receipt = new InferenceReceipt(r.requestHash(), provider, r.model(), c.promptTokens(),
                c.generatedTokens(), Hex.encode(Hashes.keccak256(output)), fee);
        Signature signature = coordinator.domain().sign(receipt, signingKey);
        TransactionReceipt tx = coordinator.fulfil(r.requestId(), new Fulfilment(output, DataKind.INLINE, receipt, signature));
        log.submitted(r.requestId(), tx.getTransactionHash(), fee);
        return new Handled(Optional.of(r.requestId()), Outcome.ANSWERED, "answered with " + model + ": "
                + c.generatedTokens() + " tokens for " + fee + " in transaction " + tx.getTransactionHash());
    }

    /** The text of {@code bytes} when they are valid UTF-8 (a lenient decoder would silently alter the prompt). */
    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * Polls and collects fees every {@code interval} on a background thread until {@link #close()}. Failures (the chain
     * unreachable, say) are logged and the next round tries again.
     */
    public synchronized void start(Duration interval) {
        if (follower != null) {
            throw new IllegalStateException("the fulfiller is already running");
        }
        follower = Thread.ofVirtual().name("coordinator-fulfiller").start(() -> {
            while (!stopping) {
                try {
                    poll();
                    collectFees();
                } catch (RuntimeException e) {
                    LOG.warn("coordinator fulfiller round failed (next round retries): {}", e.getMessage());
                }
                try {
                    // Woken early by close(); never interrupted, so an answer being submitted is never cut off.
                    stopped.await(interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /**
     * Stops the background thread once the request in hand is answered (no new one is started); does not close the
     * indexer, log or backend.
     */
    @Override
    public void close() {
        stopping = true;
        stopped.countDown();
        Thread t = follower;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
