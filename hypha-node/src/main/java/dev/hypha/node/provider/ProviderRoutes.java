package dev.hypha.node.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.ollama.OllamaJson;
import dev.hypha.node.gateway.ollama.OllamaRequests;
import dev.hypha.node.http.ApiRoutes;
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
import java.util.function.LongSupplier;

/**
 * The provider's paid API: Ollama's {@code /api/chat} and {@code /api/generate} bodies (non-streaming) under
 * {@value #PREFIX}, answered only against a voucher. Order matters: the request is parsed and priced first (so a 402
 * states the exact maximum), then the payment is checked and reserved durably, and only then does the backend run;
 * every answer carries a signed receipt. A request whose generation fails is charged nothing.
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
    }

    private void serve(Context ctx, boolean chat) {
        try {
            byte[] body = body(ctx);
            ObjectNode json = JsonBody.parse(body);
            JsonNode stream = json.get("stream");
            if (stream != null && !stream.isBoolean()) {
                throw GatewayException.badRequest("stream must be a boolean");
            }
            if (stream != null && stream.booleanValue()) {
                throw GatewayException.badRequest("stream: true is not offered by providers yet; send \"stream\": false");
            }
            OllamaRequests.Parsed parsed = chat ? requests.chat(json) : requests.generate(json);
            if (parsed.call().isEmpty()) {
                throw GatewayException.badRequest(chat ? "messages must not be empty: a provider sells answers, not loads"
                        : "prompt must not be empty: a provider sells answers, not loads");
            }
            GenerateCall call = parsed.call().get();
            TokenBudget budget = backend.budget(call);
            BigInteger maximum = terms.prices().maximum(budget);
            String header = ctx.header(PaymentHeaders.PAYMENT_SIGNATURE);
            if (header == null) {
                paymentRequired(ctx, maximum, PaymentHeaders.PAYMENT_SIGNATURE + " header is required");
                return;
            }
            PaymentHeaders.ChannelPayment payment = PaymentHeaders.parsePaymentSignature(header);
            ProviderLedger.Reservation reservation;
            try {
                reservation = gate.admit(payment, maximum);
            } catch (VoucherRejectedException e) {
                paymentRequired(ctx, maximum, e.getMessage());
                return;
            }
            answer(ctx, chat, call, body, maximum, reservation);
        } catch (PaymentHeaders.Malformed e) {
            json(ctx, 400, OllamaJson.error(e.getMessage()));
        } catch (GatewayException e) {
            json(ctx, status(e.kind()), OllamaJson.error(e.getMessage()));
        } catch (HyphaException e) {
            LOG.log(System.Logger.Level.WARNING, "paid request to " + ctx.path() + " failed: " + e.getMessage());
            json(ctx, 503, OllamaJson.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "paid request to " + ctx.path() + " failed", e);
            json(ctx, 500, OllamaJson.error(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        }
    }

    private void answer(Context ctx, boolean chat, GenerateCall call, byte[] body, BigInteger maximum,
                        ProviderLedger.Reservation reservation) {
        Completion c;
        String modelId;
        try {
            modelId = modelId(call.model());
            c = backend.generate(call, TextSink.DISCARD);
        } catch (RuntimeException e) {
            ledger.charge(reservation, BigInteger.ZERO); // no answer, no charge
            throw e;
        }
        // The budget counted the same prompt and capped the output, so cost <= maximum; min() keeps the promise made
        // in the 402 even if an engine ever counted differently.
        BigInteger price = terms.prices().cost(c.promptTokens(), c.generatedTokens()).min(maximum);
        BigInteger cumulative = ledger.charge(reservation, price);
        Receipt receipt = new Receipt(keccak(body), modelId, c.promptTokens(), c.generatedTokens(),
                keccak(c.text().getBytes(StandardCharsets.UTF_8)), price, reservation.channelId(), cumulative);
        ctx.header(ReceiptHeaders.PAYMENT_RESPONSE, receipts.header(receipt));
        json(ctx, 200, chat ? OllamaJson.chatDone(call.model(), clock.instant(), c.text(), c)
                : OllamaJson.generateDone(call.model(), clock.instant(), c.text(), c));
    }

    /** The model's content-id digest: the sha2-256 in its CID's multihash, what receipts and offers name it by. */
    private String modelId(String model) {
        ContentId cid = ContentId.parse(backend.show(model, false).info().digest());
        return Hex.encode(cid.multihash().digest());
    }

    /** 402 with x402's PAYMENT-REQUIRED header and the same PaymentRequired object as the body. */
    private void paymentRequired(Context ctx, BigInteger maximum, String why) {
        String header = PaymentHeaders.paymentRequired(why, ctx.url(), "an answer of at most " + maximum
                + " token units", List.of(terms.requirement(maximum)));
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
