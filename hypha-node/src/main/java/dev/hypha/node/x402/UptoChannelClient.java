package dev.hypha.node.x402;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.payments.PayerLedger;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pays x402 {@code upto} offers ({@link UptoRequirement}) over HTTP with one PaymentChannels channel: on a 402 it reads
 * the {@value X402#PAYMENT_REQUIRED} header, has {@link UptoVouchers} choose the offer and sign the call's cumulative
 * voucher, sends it as {@value X402#PAYMENT_SIGNATURE} and hands the answer's {@value X402#PAYMENT_RESPONSE} back to
 * {@link UptoVouchers#settled}. The voucher logic is {@link UptoVouchers}'s (shared with MCP); this class is the HTTP.
 */
public final class UptoChannelClient {
    /**
     * An answer and what paying for it did.
     *
     * @param response the final answer
     * @param voucher  the voucher sent, if the server asked for payment
     * @param cost     what the server charged for the call (0 when it did not ask for payment)
     * @param charged  the channel's charged total after the call
     */
    public record Result(HttpResponse<byte[]> response, Optional<Voucher> voucher, BigInteger cost, BigInteger charged) {}

    private final HttpClient http;
    private final UptoVouchers vouchers;

    /**
     * @param ledger           the payer's ledger, tracking {@code channel}
     * @param channel          the channel to pay with (its provider must be the offer's {@code payTo})
     * @param channelsContract the PaymentChannels contract the channel lives on
     * @param maxPerCall       the largest maximum this client accepts for one call
     * @param signer           the channel signer's EIP-712 signing
     * @param charged          what the server has charged the channel so far (0 for a new channel)
     */
    public UptoChannelClient(HttpClient http, PayerLedger ledger, ChannelParams channel, long chainId,
                             Address channelsContract, BigInteger maxPerCall, Function<TypedData, Signature> signer,
                             BigInteger charged) {
        this.http = Objects.requireNonNull(http, "http");
        this.vouchers = new UptoVouchers(ledger, channel, chainId, channelsContract, maxPerCall, signer, charged);
    }

    /** The channel's charged total as last reported by the server. */
    public BigInteger charged() {
        return vouchers.charged();
    }

    /**
     * Sends {@code request}, paying once over the channel if it is answered 402.
     *
     * @throws HyphaException INPUT when the 402 offers nothing this client may pay (naming why) or the server's
     *                        {@value X402#PAYMENT_RESPONSE} is not believable; NETWORK when it cannot be reached
     */
    public synchronized Result send(HttpRequest request) {
        HttpResponse<byte[]> first = exchange(request);
        if (first.statusCode() != 402) {
            return new Result(first, Optional.empty(), BigInteger.ZERO, vouchers.charged());
        }
        String header = first.headers().firstValue(X402.PAYMENT_REQUIRED).orElseThrow(() -> HyphaException.input(
                request.uri() + " answered 402 without a " + X402.PAYMENT_REQUIRED + " header: not an x402 v2 server"));
        String resource = request.uri().toString();
        UptoVouchers.Signed signed = vouchers.sign(vouchers.choose(resource,
                X402Json.header(X402.PAYMENT_REQUIRED + " header", header)));
        HttpResponse<byte[]> second = exchange(paid(request, signed));
        if (second.statusCode() == 402) {
            Optional<UptoVouchers.Signed> again = vouchers.afterRefusal(signed, refusal(second));
            if (again.isPresent()) {
                signed = again.get();
                second = exchange(paid(request, signed));
            }
        }
        if (second.statusCode() == 402) {
            return new Result(second, Optional.of(signed.voucher()), BigInteger.ZERO, vouchers.charged());
        }
        Optional<String> response = second.headers().firstValue(X402.PAYMENT_RESPONSE);
        BigInteger cost = vouchers.settled(resource, signed, response.map(r ->
                X402Json.header(X402.PAYMENT_RESPONSE + " header", r)));
        return new Result(second, Optional.of(signed.voucher()), cost, vouchers.charged());
    }

    private static HttpRequest paid(HttpRequest request, String header) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header(X402.PAYMENT_SIGNATURE, header).build();
    }

    private HttpRequest paid(HttpRequest request, UptoVouchers.Signed signed) {
        return paid(request, vouchers.header(signed));
    }

    /** A refusal's PaymentRequired, or null when it carries none that can be read. */
    private static com.fasterxml.jackson.databind.JsonNode refusal(HttpResponse<byte[]> answer) {
        try {
            String header = answer.headers().firstValue(X402.PAYMENT_REQUIRED).orElse(null);
            return header == null ? null : X402Json.header(X402.PAYMENT_REQUIRED + " header", header);
        } catch (MalformedPayment unreadable) {
            return null; // an unreadable refusal is answered as any other refusal
        }
    }

    /**
     * The first {@code upto} channel offer of a 402 answer to {@code request}: whom, in what token, on which chain and
     * PaymentChannels contract, and the call's maximum (what a payer needs to open a channel before paying).
     *
     * @throws HyphaException INPUT when the answer is not a 402 offering {@code upto} over channels
     */
    public static UptoRequirement offerOf(HttpRequest request, HttpResponse<byte[]> answer) {
        String header = answer.statusCode() != 402 ? null : answer.headers().firstValue(X402.PAYMENT_REQUIRED).orElse(null);
        if (header == null) {
            throw HyphaException.input(request.uri() + " answered " + answer.statusCode() + " without an x402 "
                    + X402.PAYMENT_REQUIRED + ": not a paid endpoint");
        }
        return UptoVouchers.firstOffer(request.uri().toString(), X402Json.header(X402.PAYMENT_REQUIRED + " header", header));
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // a refused connection has no message: its class says what happened
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach " + request.uri() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while calling " + request.uri(), e);
        }
    }
}
