package dev.hypha.node.gateway.remote;

import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.PaymentRequiredHeader;
import dev.hypha.node.payments.PaymentRequirement;
import dev.hypha.node.payments.ReceiptHeaders;
import dev.hypha.node.verify.opml.OpmlCommitmentCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Answers bought from one provider over its paid API ({@code /provider/v1}, always streamed on the wire so text reaches
 * the client as it is generated). When the payer knows the provider's offer ({@link OfferTerms}) it
 * prices the request itself ({@link OfferTerms#maximum}: the offer's prices for every byte of the prompt as a token,
 * plus the token limit) and pays in the first post; otherwise, or when the provider's 402 says that bound falls
 * short, it pays the maximum the provider's 402 states. Either way it signs (through {@link PayerLedger}, which records
 * the total before signing and never signs beyond the deposit) max(the total signed already, the total the provider
 * last reported charged + this maximum): what {@code ProviderLedger.reserve} requires, so the payer is never exposed
 * beyond what answers cost plus one maximum.
 * A non-streaming caller gets the answer only with an acceptable signed receipt ({@link ReceiptCheck}), stored first
 * ({@link PayerReceipts}); a streaming caller has seen the text by then, and a refused receipt ends its stream with an
 * error ({@link ProviderCheated}). Requests on the channel take turns: each voucher must cover everything charged before
 * it plus its own maximum, which two requests in flight at once could not both know.
 */
public final class RemoteBackend implements InferenceBackend {
    private static final System.Logger LOG = System.getLogger(RemoteBackend.class.getName());
    private static final Executor AHEAD = task -> Thread.ofVirtual().name("voucher-ahead").start(task);
    private final RemoteProvider provider;
    private final PayerLedger ledger;
    private final PayerReceipts receipts;
    private final Function<TypedData, Signature> payerKey;
    private final ChannelFunds funds;
    private final ProviderClient http;
    private final Clock clock;
    private final OpmlCommitmentCheck opml;
    private final ReentrantLock turns = new ReentrantLock(true);
    // Guarded by turns: the newest voucher signed, reused while a request needs no larger total (see signAhead).
    private Voucher lastSigned;
    private volatile CompletableFuture<Void> signingAhead = CompletableFuture.completedFuture(null);

    /**
     * @param funds  tops the channel up when a request needs more than its deposit
     * @param client the HTTP client to reach the provider with (closed with this backend)
     */
    public RemoteBackend(RemoteProvider provider, PayerLedger ledger, PayerReceipts receipts,
                         Function<TypedData, Signature> payerKey, ChannelFunds funds, ProviderHttp client, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.receipts = Objects.requireNonNull(receipts, "receipts");
        this.payerKey = Objects.requireNonNull(payerKey, "payerKey");
        this.funds = Objects.requireNonNull(funds, "funds");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = new ProviderClient(provider.baseUrl(), Objects.requireNonNull(client, "client"));
        this.opml = new OpmlCommitmentCheck(provider.channel().provider(), provider.receiptSigner(), provider.chainId(),
                provider.opmlVerifier());
    }

    /** The provider this backend buys from. */
    public RemoteProvider provider() {
        return provider;
    }

    /**
     * @throws ProviderFailure when the provider cannot be reached or breaks off its answer (another may take over from
     *                         the text it delivered)
     */
    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        return generate(call, Optional.empty(), sink);
    }

    /**
     * Buys an answer from a provider whose offer's terms are known (when given): the request is priced from them and
     * paid in its first post, and the receipt's price is held to them.
     *
     * @throws ProviderFailure when the provider cannot be reached or breaks off its answer
     * @throws ProviderCheated when what it asked for or signed is false
     */
    public Completion generate(GenerateCall call, Optional<OfferTerms> offered, TextSink sink) {
        turns.lock();
        try {
            return paidAnswer(call, offered, sink);
        } finally {
            turns.unlock();
        }
    }

    private Completion paidAnswer(GenerateCall call, Optional<OfferTerms> offered, TextSink sink) {
        boolean chat = OllamaRequestBody.isChat(call);
        byte[] body = OllamaRequestBody.of(call);
        // Knowing the offer, the payer prices the request itself and pays in its first post; otherwise it asks first
        // (an unpaid post, answered 402 with the provider's maximum). Paying up front saves a round trip, a pricing
        // on the provider and a voucher per request.
        // A bound the deposit cannot cover would need a top-up sized by the bound rather than the price: ask first then.
        Position position = position();
        Optional<BigInteger> upFront = offered.map(t -> t.maximum(call, body)).filter(position::covers);
        BigInteger maximum = upFront.isPresent() ? upFront.get() : askedPrice(chat ? "chat" : "generate", body);
        Voucher voucher = pay(maximum, position);
        ProviderClient.Exchange paid = http.post(chat, body, signature(voucher));
        boolean asOffered = upFront.isPresent();
        try {
            if (paid.status() == 402) {
                asOffered = false;
                // Refused: the bound fell short of the provider's maximum (its template adds more than allowed for), or
                // the payer's books are behind the provider's (see repriced): pay what its 402 asks, once.
                Repriced again = repriced(paid);
                maximum = again.maximum();
                voucher = pay(maximum, again.position());
                paid = http.post(chat, body, signature(voucher));
            }
            requireServed(paid, voucher);
            Streamed answer = read(paid, chat, sink);
            accept(call, body, answer, maximum, voucher, offered);
            paid.finish(); // the connection stays open for the next request
            if (asOffered) {
                BigInteger next = maximum;
                signingAhead = CompletableFuture.runAsync(() -> signAhead(next), AHEAD);
            }
            return answer.completion();
        } finally {
            paid.close();
        }
    }

    /** What a refused voucher's 402 asks: the request's maximum, and where the channel stands after it. */
    private record Repriced(BigInteger maximum, Position position) {}

    /**
     * Reads a 402 to a paid post (and finishes it). The payer's books fall behind the provider's when it stored no
     * receipt for an answer the provider charged (a receipt it refused, an answer that broke off, a crash in between);
     * the provider then states its charged total, and the payer concedes it, since the provider holds vouchers for it
     * already: never more than the payer ever signed on the channel, or the provider is lying about its own books.
     */
    private Repriced repriced(ProviderClient.Exchange refused) {
        PaymentRequiredHeader.Required asked = PaymentRequiredHeader.parse(refused.paymentRequired());
        BigInteger maximum = checked(asked.requirement()).amount();
        refused.finish();
        Position now = position();
        if (asked.charged().isPresent()) {
            BigInteger claimed = asked.charged().get();
            if (claimed.compareTo(now.signed()) > 0) {
                throw cheated(ProviderFault.WRONG_TERMS, "claims " + claimed + " charged on channel "
                        + provider.channel().id() + ", more than the " + now.signed() + " ever promised on it", false);
            }
            now = new Position(now.signed(), now.charged().max(claimed), now.deposit());
        }
        return new Repriced(maximum, now);
    }

    /** The provider's maximum for an unpaid request to {@code route} (chat, generate, embed), from its 402. */
    private BigInteger askedPrice(String route, byte[] body) {
        try (ProviderClient.Exchange first = http.post(route, body, null)) {
            if (first.status() != 402) {
                throw unexpected(first, "to an unpaid request, not 402");
            }
            BigInteger maximum = checked(PaymentRequiredHeader.parse(first.paymentRequired()).requirement()).amount();
            first.finish();
            return maximum;
        }
    }

    /**
     * A paid post must be answered 200: a 402 means the provider refused the voucher (another provider may serve), any
     * other status is {@link #unexpected}.
     */
    private void requireServed(ProviderClient.Exchange paid, Voucher voucher) {
        if (paid.status() == 402) {
            throw failure(ProviderFault.REFUSED, "refused the voucher for " + voucher.cumulativeAmount() + ": "
                    + PaymentRequiredHeader.parse(paid.paymentRequired()).error());
        }
        if (paid.status() != 200) {
            throw unexpected(paid, "to a paid request");
        }
    }

    private String signature(Voucher voucher) {
        return PaymentHeaders.paymentSignature(provider.chainId(), provider.channel(), voucher);
    }

    /**
     * Embeddings bought like answers (a 402, a voucher, a receipt) from the provider's {@code /api/embed}: charged per
     * input token, the receipt's output hash over the vectors' {@link Embeddings#canonicalBytes()}, 0 output tokens.
     * The vectors are checked ({@link EmbedAnswer}) and returned only with an accepted, stored receipt.
     */
    @Override
    public Embeddings embed(EmbedCall call) {
        turns.lock();
        try {
            byte[] body = OllamaRequestBody.of(call);
            BigInteger maximum = askedPrice("embed", body);
            Voucher voucher = pay(maximum, position());
            ProviderClient.Exchange posted = http.post("embed", body, signature(voucher));
            if (posted.status() == 402) { // refused: pay what its 402 asks, once (see repriced)
                Repriced again;
                try {
                    again = repriced(posted);
                } finally {
                    posted.close();
                }
                maximum = again.maximum();
                voucher = pay(maximum, again.position());
                posted = http.post("embed", body, signature(voucher));
            }
            try (ProviderClient.Exchange paid = posted) {
                requireServed(paid, voucher);
                Embeddings e = EmbedAnswer.parse(paid.readAll(http.base()), call.inputs().size(),
                        "provider " + http.base());
                accept(call.model(), Optional.empty(), body, paid.receipt(), new ReceiptCheck.Received("vectors",
                        e.canonicalBytes(), e.promptTokens(), 0), maximum, voucher, Optional.empty(), 0);
                return e;
            }
        } finally {
            turns.unlock();
        }
    }

    /** The streamed answer and the receipt its last line (or, when nothing streamed before it, the header) carried. */
    private record Streamed(Completion completion, String receipt) {}

    private Streamed read(ProviderClient.Exchange paid, boolean chat, TextSink sink) {
        AnswerLines lines = new AnswerLines(paid.body());
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        while (true) {
            byte[] line;
            try {
                line = lines.next();
            } catch (IOException e) {
                throw new ProviderFailure(http.base(), ProviderFault.BROKE_OFF, "broke off its answer: " + e.getMessage(),
                        text.toString(), e);
            }
            if (line == null) {
                throw new ProviderFailure(http.base(), ProviderFault.BROKE_OFF, "ended its answer without the final line",
                        text.toString(), null);
            }
            ObjectNode o = ProviderAnswer.object(line);
            if (o.has("error")) {
                throw new ProviderFailure(http.base(), text.isEmpty() ? ProviderFault.REFUSED : ProviderFault.BROKE_OFF,
                        "failed while answering: " + o.path("error").asText(""), text.toString(), null);
            }
            if (o.path("done").asBoolean(false)) {
                JsonNode receipt = o.get(ReceiptHeaders.STREAM_FIELD);
                return new Streamed(ProviderAnswer.done(o, text.toString() + ProviderAnswer.piece(o, chat),
                        thinking + ProviderAnswer.thinking(o, chat)),
                        receipt != null && receipt.isTextual() ? receipt.textValue() : paid.receipt());
            }
            String reasoning = ProviderAnswer.thinking(o, chat);
            if (!reasoning.isEmpty()) {
                thinking.append(reasoning);
                sink.thinking(reasoning);
            }
            String piece = ProviderAnswer.piece(o, chat);
            text.append(piece);
            sink.accept(piece); // a client gone throws here; closing the exchange then stops the provider
        }
    }

    /** Checks the receipt and stores it; the answer counts only then. */
    private void accept(GenerateCall call, byte[] body, Streamed answer, BigInteger maximum, Voucher voucher,
                        Optional<OfferTerms> offered) {
        accept(call.model(), Optional.of(call.prompt()), body, answer.receipt(),
                ReceiptCheck.Received.of(answer.completion()), maximum, voucher, offered, call.maxTokens());
    }

    /**
     * Checks the receipt ({@code header}: its PAYMENT-RESPONSE value) for what was received, and its opML commitment
     * ({@link OpmlCommitmentCheck}: required for a verifiable model, refused for any other), and stores them.
     *
     * @param prompt     the request's prompt (empty for embeddings)
     * @param tokenLimit the most tokens the request allowed to generate ({@link GenerateCall#UNLIMITED} for none)
     */
    private void accept(String model, Optional<Prompt> prompt, byte[] body, String header, ReceiptCheck.Received received, BigInteger maximum,
                        Voucher voucher, Optional<OfferTerms> offered, int tokenLimit) {
        ReceiptHeaders.SignedReceipt receipt;
        try {
            receipt = ReceiptHeaders.parse(header);
        } catch (HyphaException e) {
            throw cheated(ProviderFault.BAD_RECEIPT, "sent no usable receipt: " + e.getMessage(), true);
        }
        List<ReceiptCheck.Problem> problems = ReceiptCheck.problems(provider, receipt, body, received, maximum,
                voucher.cumulativeAmount(), offered, tokenLimit);
        if (!problems.isEmpty()) {
            throw cheated(ReceiptCheck.worst(problems).orElseThrow(), "sent a receipt that was refused, so its answer "
                    + "was too: " + String.join("; ", problems.stream().map(ReceiptCheck.Problem::text).toList()), true);
        }
        Optional<String> wrong = opml.problem(model, prompt, body, receipt.opml(), received.output());
        if (wrong.isPresent()) {
            throw cheated(ProviderFault.BAD_RECEIPT, "sent an answer whose opML commitment was refused, so the answer "
                    + "was too: " + wrong.get(), true);
        }
        receipts.add(new PayerReceipts.Stored(clock.instant(), model, provider.channel().provider(),
                receipt.receipt(), Optional.of(provider.channel().token())), receipt.signature().toHex(),
                receipt.opml().map(ReceiptHeaders::opmlJson));
    }

    /**
     * Where the channel stands, as the payer's files say: the total signed, the total the provider last reported charged
     * (its newest stored receipt) and the deposit.
     */
    private record Position(BigInteger signed, BigInteger charged, BigInteger deposit) {
        /** The total a voucher for a request of at most {@code maximum} must promise. */
        BigInteger totalFor(BigInteger maximum) {
            return signed.max(charged.add(maximum));
        }

        /** Whether the deposit covers that voucher without a top-up. */
        boolean covers(BigInteger maximum) {
            return totalFor(maximum).compareTo(deposit) <= 0;
        }
    }

    private Position position() {
        String id = provider.channel().id();
        return new Position(ledger.signedTotal(id), receipts.charged(id), ledger.deposit(id));
    }

    /**
     * Signs, after an answer and off the request's path, the voucher a next request of at most the same maximum will
     * need: recorded and signed now, it makes that request's voucher free of the durable write and the signature
     * ({@link #pay} reuses it while it covers the request). The payer's exposure stays one maximum beyond what answers
     * cost (the last request's, until the next one is priced); nothing is signed when the deposit would need a top-up.
     */
    private void signAhead(BigInteger maximum) {
        turns.lock();
        try {
            Position position = position();
            BigInteger total = position.totalFor(maximum);
            if (position.covers(maximum) && total.compareTo(position.signed()) > 0) {
                lastSigned = ledger.authorize(provider.channel().id(), total, payerKey);
            }
        } catch (RuntimeException e) {
            // The next request signs for itself; nothing is lost, so this is only worth a line in the log.
            LOG.log(System.Logger.Level.DEBUG, "could not sign the next voucher ahead on channel "
                    + provider.channel().id() + ": " + e.getMessage());
        } finally {
            turns.unlock();
        }
    }

    /** Waits until the voucher signed ahead after the last answer, if any, is recorded. */
    public void awaitSignedAhead() {
        signingAhead.join();
    }

    /** Signs the voucher a request of at most {@code maximum} needs, topping up or refusing (before signing) beyond the deposit. */
    private Voucher pay(BigInteger maximum, Position position) {
        String id = provider.channel().id();
        BigInteger total = position.totalFor(maximum);
        BigInteger deposit = position.deposit();
        if (total.compareTo(deposit) > 0) {
            deposit = funds.topUp(provider.channel(), total, deposit);
        }
        if (total.compareTo(deposit) > 0) {
            throw new GatewayException(GatewayException.Kind.BAD_REQUEST, "channel " + id + " holds " + deposit
                    + " but this request needs a voucher for " + total + " (charged so far plus its maximum of "
                    + maximum + "): top the channel up or open another (`hypha budget` sets what may be deposited)");
        }
        if (lastSigned != null && lastSigned.cumulativeAmount().equals(total)
                && total.equals(position.signed())) {
            return lastSigned; // signed ahead (or for the last request) and recorded then: the same voucher again
        }
        try {
            lastSigned = ledger.authorize(id, total, payerKey);
            return lastSigned;
        } catch (HyphaException e) {
            throw new GatewayException(GatewayException.Kind.BAD_REQUEST, e.getMessage(), e);
        }
    }

    /** The 402's terms must be this provider's, on this channel's token, contract and chain. */
    private PaymentRequirement checked(PaymentRequirement r) {
        if (r.chainId() != provider.chainId()) {
            throw cheated(ProviderFault.WRONG_TERMS, "asks for payment on " + r.network() + ", not eip155:"
                    + provider.chainId(), false);
        }
        if (!r.payTo().equals(provider.channel().provider())) {
            throw cheated(ProviderFault.WRONG_TERMS, "asks for payment to " + r.payTo().toChecksumString()
                    + ", not to the channel's provider "
                    + provider.channel().provider().toChecksumString(), false);
        }
        if (!r.asset().equals(provider.channel().token())) {
            throw cheated(ProviderFault.WRONG_TERMS, "asks for payment in " + r.asset().toChecksumString()
                    + ", not the channel's token "
                    + provider.channel().token().toChecksumString(), false);
        }
        if (!r.channels().equals(provider.channels())) {
            throw cheated(ProviderFault.WRONG_TERMS, "names the channels contract "
                    + r.channels().toChecksumString() + ", not "
                    + provider.channels().toChecksumString(), false);
        }
        return r;
    }

    /** The provider did not serve (overloaded, refused our voucher, unexpected answer): another may. */
    private ProviderFailure failure(ProviderFault fault, String what) {
        return new ProviderFailure(http.base(), fault, what, "", null);
    }

    /**
     * A status other than the one expected: 400 means the request itself is wrong (the client hears it as it is,
     * since another provider would refuse it too); anything else (404 model gone, 503 overloaded, 5xx) is this
     * provider's failure, which another provider may make good.
     */
    private GatewayException unexpected(ProviderClient.Exchange answer, String when) {
        String error = answer.error(http.base());
        if (answer.status() == 400) {
            return GatewayException.badRequest("provider " + http.base() + " refused the request: " + error);
        }
        return failure(ProviderFault.REFUSED, "answered " + answer.status() + " " + when + ": " + error);
    }

    private ProviderCheated cheated(ProviderFault fault, String what, boolean delivered) {
        return new ProviderCheated(fault, "provider " + provider.baseUrl() + " " + what, delivered);
    }

    private GatewayException notOffered(String what) {
        return new GatewayException(GatewayException.Kind.BAD_REQUEST, "the remote backend does not offer " + what
                + " yet: a provider's paid API serves only /api/chat, /api/generate and /api/embed");
    }

    @Override
    public List<ModelInfo> models() {
        throw notOffered("a model list");
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        throw notOffered("model details");
    }

    @Override
    public List<RunningModel> running() {
        throw notOffered("running models");
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        throw notOffered("loading models");
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        throw notOffered("pricing ahead of a request");
    }

    @Override
    public void close() {
        awaitSignedAhead(); // never sign on a ledger its owner is about to close
        http.close();
    }
}
