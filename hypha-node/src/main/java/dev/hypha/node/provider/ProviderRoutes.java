package dev.hypha.node.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.http.AnswerOutput;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.GenerationCancelledException;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ResponseStream;
import dev.hypha.node.gateway.ollama.OllamaJson;
import dev.hypha.node.gateway.ollama.OllamaRequests;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.payments.ChargeHistory;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.ReceiptHeaders;
import dev.hypha.node.payments.VoucherRejectedException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The provider's paid API: Ollama's {@code /api/chat}, {@code /api/generate} (NDJSON streams too) and {@code /api/embed}
 * bodies under {@value #PREFIX}, answered only against a voucher. One field Ollama lacks is read here:
 * {@value OllamaRequests#REQUIRED_TOOL} (a tool the model must call, OpenAI's {@code tool_choice} naming a function).
 * Order matters: the request is parsed and priced first (so a 402 states the exact maximum), then the payment is
 * checked and reserved durably, and only then does the backend run; for a payment {@link ChannelGate#vouches} for, the
 * pricing and the reservation run beside the engine instead and the first piece waits for them ({@link AdmittingSink}).
 * Every answer carries a signed receipt. A request whose generation fails is charged nothing.
 */
public final class ProviderRoutes implements ApiRoutes {
    /** Path prefix of the paid API. */
    public static final String PREFIX = "/provider/v1";
    private static final System.Logger LOG = System.getLogger(ProviderRoutes.class.getName());

    private final InferenceBackend backend;
    private final OllamaRequests requests;
    private final ProviderTerms terms;
    private final ChannelGate gate;
    private final ProviderLedger ledger;
    private final ReceiptSigner receipts;
    private final Clock clock;

    public ProviderRoutes(InferenceBackend backend, ProviderTerms terms, ChannelGate gate, ProviderLedger ledger,
                          ReceiptSigner receipts, Clock clock, LongSupplier randomSeeds) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.terms = Objects.requireNonNull(terms, "terms");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.receipts = Objects.requireNonNull(receipts, "receipts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.requests = new OllamaRequests(randomSeeds);
    }

    @Override
    public void addTo(Javalin api) {
        api.post(PREFIX + "/api/generate", ctx -> serve(ctx, false));
        api.post(PREFIX + "/api/chat", ctx -> serve(ctx, true));
        api.post(PREFIX + "/api/embed", this::serveEmbeddings);
    }

    private void serve(Context ctx, boolean chat) {
        try {
            byte[] body = body(ctx);
            ObjectNode json = JsonBody.parse(body);
            JsonNode stream = json.get("stream");
            if (stream != null && !stream.isBoolean()) {
                throw GatewayException.badRequest("stream must be a boolean");
            }
            OllamaRequests.Parsed parsed = chat ? requests.chat(json) : requests.generate(json);
            if (parsed.call().isEmpty()) {
                throw GatewayException.badRequest(chat ? "messages must not be empty: a provider sells answers, not loads"
                        : "prompt must not be empty: a provider sells answers, not loads");
            }
            GenerateCall call = OllamaRequests.withRequiredTool(json, parsed.call().get());
            Optional<PaymentHeaders.ChannelPayment> payment = payment(ctx);
            Function<TextSink, AdmittingSink> paying;
            if (payment.isPresent() && gate.vouches(payment.get())) {
                // A payer this provider knows: its voucher is reserved while the engine reads the prompt, priced from
                // the budget the engine reports once the prompt is rendered (no render of its own first).
                PaymentHeaders.ChannelPayment p = payment.get();
                paying = out -> new AdmittingSink(out, terms.prices()::maximum, max -> gate.admitStarted(p, max));
            } else {
                BigInteger maximum = terms.prices().maximum(backend.budget(call));
                ProviderLedger.Reservation reservation = paid(ctx, maximum, payment);
                if (reservation == null) {
                    return;
                }
                paying = out -> AdmittingSink.admitted(out, maximum, reservation);
            }
            if (stream != null && stream.booleanValue()) {
                answerStreaming(ctx, chat, call, body, paying);
            } else {
                answer(ctx, chat, call, body, paying);
            }
        } catch (RuntimeException e) {
            failed(ctx, e);
        }
    }

    /**
     * Ollama's {@code /api/embed}, sold per input token at the input price (nothing is generated). The price is bounded
     * before the run by {@link #embedTokenBound}; the charge is the tokens the engine read. The receipt counts 0 output
     * tokens and its output hash is the keccak of {@link Embeddings#canonicalBytes()}, so the payer can check the
     * vectors it received, whatever their JSON spelling.
     */
    private void serveEmbeddings(Context ctx) {
        try {
            byte[] body = body(ctx);
            EmbedCall call = requests.embed(JsonBody.parse(body));
            BigInteger maximum = terms.prices().cost(embedTokenBound(call), 0);
            ProviderLedger.Reservation reservation = paid(ctx, maximum, payment(ctx));
            if (reservation == null) {
                return;
            }
            Embeddings e;
            String modelId;
            try {
                modelId = modelId(call.model());
                e = backend.embed(call);
                if (e.vectors().size() != call.inputs().size()) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "the engine returned "
                            + e.vectors().size() + " vectors for " + call.inputs().size() + " inputs");
                }
            } catch (RuntimeException failure) {
                ledger.charge(reservation, BigInteger.ZERO); // no answer, no charge
                throw failure;
            }
            BigInteger price = terms.prices().cost(e.promptTokens(), 0).min(maximum);
            BigInteger cumulative = ledger.charge(reservation, price,
                    new ChargeHistory.Charge(clock.instant(), modelId, call.model(), e.promptTokens(), 0));
            Receipt receipt = new Receipt(keccak(body), modelId, e.promptTokens(), 0, keccak(e.canonicalBytes()), price,
                    reservation.channelId(), cumulative);
            ctx.header(ReceiptHeaders.PAYMENT_RESPONSE, receipts.header(receipt));
            json(ctx, 200, OllamaJson.embed(call.model(), e));
        } catch (RuntimeException e) {
            failed(ctx, e);
        }
    }

    /**
     * The most input tokens an embedding call can be counted, known without a tokenizer: every input's UTF-8 bytes (no
     * tokenizer makes more tokens than bytes) plus {@value #SPECIAL_TOKENS_PER_INPUT} for the begin/end markers and a
     * space prefix an engine may add.
     */
    static long embedTokenBound(EmbedCall call) {
        long n = 0;
        for (String input : call.inputs()) {
            n += input.getBytes(StandardCharsets.UTF_8).length + SPECIAL_TOKENS_PER_INPUT;
        }
        return n;
    }

    private static final int SPECIAL_TOKENS_PER_INPUT = 4;

    /** The request's payment, if it carries one. A malformed header throws {@link PaymentHeaders.Malformed} (a 400). */
    private static Optional<PaymentHeaders.ChannelPayment> payment(Context ctx) {
        String header = ctx.header(PaymentHeaders.PAYMENT_SIGNATURE);
        return header == null ? Optional.empty() : Optional.of(PaymentHeaders.parsePaymentSignature(header));
    }

    /**
     * The reservation the request's payment makes for {@code maximum}, or null once a 402 has been answered (no
     * voucher, or one refused).
     */
    private ProviderLedger.Reservation paid(Context ctx, BigInteger maximum,
                                            Optional<PaymentHeaders.ChannelPayment> payment) {
        if (payment.isEmpty()) {
            paymentRequired(ctx, maximum, PaymentHeaders.PAYMENT_SIGNATURE + " header is required", Optional.empty());
            return null;
        }
        try {
            return gate.admit(payment.get(), maximum);
        } catch (VoucherRejectedException e) {
            paymentRequired(ctx, maximum, e.getMessage(), e.charged());
            return null;
        }
    }

    /** A request that failed before its answer started: the error with the status its kind has. */
    private void failed(Context ctx, RuntimeException failure) {
        switch (failure) {
            case PaymentHeaders.Malformed e -> json(ctx, 400, OllamaJson.error(e.getMessage()));
            case GatewayException e -> json(ctx, status(e.kind()), OllamaJson.error(e.getMessage()));
            case HyphaException e -> {
                LOG.log(System.Logger.Level.WARNING, "paid request to " + ctx.path() + " failed: " + e.getMessage());
                json(ctx, 503, OllamaJson.error(e.getMessage()));
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "paid request to " + ctx.path() + " failed", failure);
                json(ctx, 500, OllamaJson.error(failure.getMessage() != null ? failure.getMessage()
                        : failure.getClass().getSimpleName()));
            }
        }
    }

    private void answer(Context ctx, boolean chat, GenerateCall call, byte[] body,
                        Function<TextSink, AdmittingSink> paying) {
        AdmittingSink sink = paying.apply(TextSink.DISCARD);
        Completion c;
        String modelId;
        ProviderLedger.Reservation reservation;
        Optional<OpmlCommitment> opml;
        try {
            modelId = modelId(call.model());
            c = backend.generate(call, sink);
            reservation = sink.reservation();
            opml = commitment(call, c, body);
        } catch (AdmittingSink.Refused refused) {
            paymentRequired(ctx, refused);
            return;
        } catch (RuntimeException e) {
            release(sink); // no answer, no charge
            throw e;
        }
        ctx.header(ReceiptHeaders.PAYMENT_RESPONSE, receipts.header(receipt(c, body, call.model(), modelId,
                sink.maximum(), reservation), opml));
        json(ctx, 200, chat ? OllamaJson.chatDone(call.model(), clock.instant(), c.text(), c.thinking(), c)
                : OllamaJson.generateDone(call.model(), clock.instant(), c.text(), c.thinking(), c));
    }

    /**
     * Streams the answer as Ollama's NDJSON. Headers leave with the first piece, so the receipt rides in the last line
     * ({@code "payment_response"}: the same base64 value as the header). A client that leaves mid-answer keeps its
     * reservation charged: the provider cannot tell how much of the text reached it, and one maximum is the bound.
     */
    private void answerStreaming(Context ctx, boolean chat, GenerateCall call, byte[] body,
                                 Function<TextSink, AdmittingSink> paying) {
        ResponseStream[] out = {null};
        java.util.function.Consumer<ObjectNode> send = o -> {
            if (out[0] == null) {
                out[0] = new ResponseStream(ctx, "application/x-ndjson");
            }
            out[0].write(line(o));
        };
        AdmittingSink sink = paying.apply(TextSink.of(
                piece -> send.accept(chat ? OllamaJson.chatChunk(call.model(), clock.instant(), piece)
                        : OllamaJson.generateChunk(call.model(), clock.instant(), piece)),
                piece -> send.accept(chat ? OllamaJson.chatThinkingChunk(call.model(), clock.instant(), piece)
                        : OllamaJson.generateThinkingChunk(call.model(), clock.instant(), piece))));
        String modelId;
        Completion c;
        ProviderLedger.Reservation reservation;
        Optional<OpmlCommitment> opml;
        try {
            modelId = modelId(call.model());
            c = backend.generate(call, sink);
            reservation = sink.reservation(); // an answer without text never waited for it
            opml = commitment(call, c, body);
        } catch (AdmittingSink.Refused refused) {
            paymentRequired(ctx, refused); // refused before its first piece: nothing was sent
            return;
        } catch (GenerationCancelledException e) {
            return; // the client left: nobody to answer, and the reservation stays charged
        } catch (RuntimeException e) {
            release(sink); // no complete answer, no charge
            if (out[0] == null) {
                throw e; // nothing sent yet: the error keeps its status code
            }
            out[0].writeLast(line(OllamaJson.error(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())));
            return;
        }
        String receipt = receipts.header(receipt(c, body, call.model(), modelId, sink.maximum(), reservation), opml);
        if (out[0] == null) {
            ctx.header(ReceiptHeaders.PAYMENT_RESPONSE, receipt); // nothing streamed yet: the header can still carry it
            out[0] = new ResponseStream(ctx, "application/x-ndjson");
        }
        ObjectNode done = chat ? OllamaJson.chatDone(call.model(), clock.instant(), "", "", c)
                : OllamaJson.generateDone(call.model(), clock.instant(), "", "", c);
        out[0].writeLast(line(done.put(ReceiptHeaders.STREAM_FIELD, receipt)));
    }

    /**
     * The answer's opML commitment when the backend makes one (a verifiable model), written down by the backend before
     * the answer leaves; a failure to keep it fails the answer, which is then charged nothing.
     */
    private Optional<OpmlCommitment> commitment(GenerateCall call, Completion c, byte[] body) {
        return backend instanceof AnswerCommitter committer ? committer.commit(call, c, Hashes.keccak256(body))
                : Optional.empty();
    }

    /** Charges nothing for a generation that failed, once its payment (if any was reserved) has settled. */
    private void release(AdmittingSink sink) {
        sink.abandoned().ifPresent(r -> ledger.charge(r, BigInteger.ZERO));
    }

    /** Prices a finished answer, records the charge and builds its receipt. */
    private Receipt receipt(Completion c, byte[] body, String modelName, String modelId, BigInteger maximum,
                            ProviderLedger.Reservation reservation) {
        // The budget counted the same prompt and capped the output, so cost <= maximum; min() keeps the promise made
        // in the 402 even if an engine ever counted differently.
        BigInteger price = terms.prices().cost(c.promptTokens(), c.generatedTokens()).min(maximum);
        BigInteger cumulative = ledger.charge(reservation, price, new ChargeHistory.Charge(clock.instant(), modelId,
                modelName, c.promptTokens(), c.generatedTokens()));
        return new Receipt(keccak(body), modelId, c.promptTokens(), c.generatedTokens(),
                keccak(AnswerOutput.of(c)), price, reservation.channelId(), cumulative);
    }

    private static String line(ObjectNode o) {
        return new String(JsonBody.write(o), StandardCharsets.UTF_8) + "\n";
    }

    /** The model's content-id digest: the sha2-256 in its CID's multihash, what receipts and offers name it by. */
    private String modelId(String model) {
        return backend.info(model).digestHex(); // the manifest, not the model file: read once per paid request
    }

    private void paymentRequired(Context ctx, AdmittingSink.Refused refused) {
        paymentRequired(ctx, refused.maximum(), refused.reason().getMessage(), refused.reason().charged());
    }

    /** 402 with x402's PAYMENT-REQUIRED header and the same PaymentRequired object as the body. */
    private void paymentRequired(Context ctx, BigInteger maximum, String why, Optional<BigInteger> charged) {
        String header = PaymentHeaders.paymentRequired(why, ctx.url(), "an answer of at most " + maximum
                + " token units", List.of(terms.requirement(maximum)), charged);
        ctx.header(PaymentHeaders.PAYMENT_REQUIRED, header);
        ctx.status(402).contentType("application/json; charset=utf-8").result(Base64.getDecoder().decode(header));
    }

    private static byte[] body(Context ctx) {
        byte[] bytes;
        try {
            bytes = ctx.bodyInputStream().readNBytes(JsonBody.MAX_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
        if (bytes.length > JsonBody.MAX_BYTES) {
            throw GatewayException.badRequest("request body is larger than " + JsonBody.MAX_BYTES + " bytes");
        }
        return bytes;
    }

    private static String keccak(byte[] bytes) {
        return Hex.encode(Hashes.keccak256(bytes));
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(JsonBody.write(body));
    }

    private static int status(GatewayException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case NOT_FOUND -> 404;
            case OVERLOADED -> 503;
            case INTERNAL -> 500;
        };
    }
}
