package dev.hypha.node.x402;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.web3j.crypto.Credentials;

/**
 * Pays x402 endpoints with an account key: sends the request; on a 402 reads {@value X402#PAYMENT_REQUIRED}, picks the
 * first {@code exact} offer on the allowed chain that costs at most the per-request limit, signs an EIP-3009
 * authorization for exactly that (random nonce, valid from now for the offer's {@code maxTimeoutSeconds}) and sends the
 * request once more with {@value X402#PAYMENT_SIGNATURE}. One payment per call at most: a second 402 is returned as is,
 * never paid again.
 */
public final class X402Client {
    /**
     * What the client may pay.
     *
     * @param chainId          the chain it pays on
     * @param maxPerRequest    the most one request may cost, in the token's smallest units
     */
    public record Limits(long chainId, BigInteger maxPerRequest) {
        public Limits {
            if (Objects.requireNonNull(maxPerRequest, "maxPerRequest").signum() <= 0) {
                throw new IllegalArgumentException("maxPerRequest must be above 0");
            }
        }
    }

    /**
     * An answer and, when the client paid for it, the payment sent and the server's settlement.
     *
     * @param response   the final answer
     * @param payment    the payment sent, if one was
     * @param settlement the server's {@value X402#PAYMENT_RESPONSE}, if it sent one
     */
    public record Result(HttpResponse<byte[]> response, Optional<ExactPayment> payment, Optional<Settlement> settlement) {}

    private final HttpClient http;
    private final Credentials key;
    private final Limits limits;
    private final Clock clock;
    private final SecureRandom random;

    /**
     * @param clock the wall clock for the authorization's window (the payee's chain judges it, so it must be roughly
     *              right, and is never re-computed)
     */
    public X402Client(HttpClient http, Credentials key, Limits limits, Clock clock, SecureRandom random) {
        this.http = Objects.requireNonNull(http, "http");
        this.key = Objects.requireNonNull(key, "key");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Sends {@code request}, paying once if it is answered 402.
     *
     * @throws HyphaException INPUT when the 402 offers nothing this client may pay (naming what it asked), NETWORK when
     *                        the server cannot be reached
     */
    public Result send(HttpRequest request) {
        HttpResponse<byte[]> first = exchange(request);
        if (first.statusCode() != 402) {
            return new Result(first, Optional.empty(), Optional.empty());
        }
        String header = first.headers().firstValue(X402.PAYMENT_REQUIRED).orElseThrow(() -> HyphaException.input(
                request.uri() + " answered 402 without a " + X402.PAYMENT_REQUIRED + " header: not an x402 v2 server"));
        PaymentRequired required = PaymentRequired.parseHeader(header);
        int chosen = -1;
        for (int i = 0; i < required.accepts().size() && chosen < 0; i++) {
            ExactRequirement a = required.accepts().get(i);
            if (a.chainId() == limits.chainId() && a.amount().compareTo(limits.maxPerRequest()) <= 0) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            throw HyphaException.input(request.uri() + " asks for " + describe(required) + "; this client pays exact"
                    + " EIP-3009 on " + X402.network(limits.chainId()) + " up to " + limits.maxPerRequest() + " per request");
        }
        ExactPayment payment = pay(required.accepts().get(chosen), required.acceptsJson().get(chosen),
                request.uri().toString());
        HttpRequest paid = HttpRequest.newBuilder(request, (name, value) -> true)
                .header(X402.PAYMENT_SIGNATURE, payment.toHeader()).build();
        HttpResponse<byte[]> second = exchange(paid);
        Optional<Settlement> settlement = second.headers().firstValue(X402.PAYMENT_RESPONSE).map(Settlement::parseHeader);
        return new Result(second, Optional.of(payment), settlement);
    }

    /** Signs a payment of exactly {@code offer}'s amount to its payee, echoing {@code offerJson} as accepted. */
    public ExactPayment pay(ExactRequirement offer, com.fasterxml.jackson.databind.node.ObjectNode offerJson,
                            String resourceUrl) {
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        long now = clock.instant().getEpochSecond();
        Eip3009Authorization auth = new Eip3009Authorization(Address.parse(key.getAddress()), offer.payTo(),
                offer.amount(), BigInteger.ZERO, BigInteger.valueOf(now + offer.maxTimeoutSeconds()), Hex.encode(nonce));
        return new ExactPayment(Optional.of(resourceUrl), offer, offerJson, auth, auth.sign(offer, key).toBytes());
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while calling " + request.uri(), e);
        }
    }

    private static String describe(PaymentRequired required) {
        if (required.accepts().isEmpty()) {
            return "no exact EVM payment (error: '" + required.error() + "')";
        }
        StringBuilder s = new StringBuilder();
        for (ExactRequirement a : required.accepts()) {
            s.append(s.isEmpty() ? "" : ", ").append(a.amount()).append(" of ").append(a.asset().toChecksumString())
                    .append(" on ").append(a.network());
        }
        return s.toString();
    }
}
