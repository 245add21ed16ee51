package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.remote.OfferTerms;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.x402.MeteredCompletions;
import dev.hypha.node.x402.UptoChannelClient;
import dev.hypha.node.x402.UptoRequirement;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.web3j.crypto.Credentials;

/**
 * A served agent's inference bought from a provider's metered completions ({@code x402.MeteredCompletions}) with x402
 * {@code upto} over a payment channel its AgentAccount funds ({@link AccountChannel}): the first 402 says whom to pay,
 * in what, on which PaymentChannels; the session key opens the channel through the account's policy (which refuses a
 * provider the owner did not allow, or a deposit above the per-call maximum), then signs one voucher per call for what
 * was charged so far plus the call's maximum, and the provider charges what the tokens cost. The payer's ledger
 * ({@code <agent>/channels.sqlite}) records each voucher total before it is signed, so a restart never signs less than
 * a provider may hold; the channel's charged total is learnt again from the provider's first refusal after a restart.
 * When the next voucher (charged so far plus the call's maximum) would pass the deposit, the session key first tops the
 * channel up through the policy by the spec's deposit, so the channel lives as long as the policy allows spending. The
 * channel is the account's first to the provider that this key can use ({@link AccountChannel#usable}): a settled one,
 * or one another key funded, moves it to the next number.
 *
 * <p>A provider chosen from an on-chain offer is held to that offer ({@link OfferTerms}, the check the gateway makes
 * of receipts): the most it may ask for one call is what the offer's prices make for the route's bounds (a prompt of
 * {@link MeteredCompletions#MAX_PROMPT_BYTES} bytes and {@link MeteredCompletions#MAX_TOKENS} generated tokens), when
 * that is below the account's per-call limit; and each settlement must charge no more than the offer's prices make for
 * the tokens the provider reports, which may not pass the call's own bounds (the prompt's bytes plus
 * {@link MeteredCompletions#TEMPLATE_TOKENS}, the call's {@code max_tokens}). A provider that breaks this keeps what
 * the one voucher allowed (a call's maximum, as the channel design bounds it) and is paid nothing more: every later
 * call is refused before a voucher is signed. A provider named by URL has no offer, and is bounded by the per-call
 * limit alone.
 */
final class ChannelInference implements AutoCloseable {
    /** One bought completion: the text, what it cost, the voucher sent and the channel's charged total after it. */
    record Bought(String text, BigInteger cost, BigInteger voucher, BigInteger charged) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final URI url;
    private final String model;
    private final PayerLedger ledger;
    private final ChannelParams channel;
    private final UptoChannelClient client;
    private final AgentAccountsClient.Account accountAsKey;
    private final PaymentChannelsClient channels;
    private final BigInteger topUp;
    private final BigInteger callMaximum;
    private final Optional<OfferTerms> offered;
    /** Why this provider is paid nothing more (it charged beyond its offer), once it did. */
    private volatile String refused;

    private ChannelInference(URI url, String model, PayerLedger ledger, ChannelParams channel, UptoChannelClient client,
                             AgentAccountsClient.Account accountAsKey, PaymentChannelsClient channels, BigInteger topUp,
                             BigInteger callMaximum, Optional<OfferTerms> offered) {
        this.url = url;
        this.model = model;
        this.ledger = ledger;
        this.channel = Objects.requireNonNull(channel, "channel");
        this.client = client;
        this.accountAsKey = accountAsKey;
        this.channels = channels;
        this.topUp = topUp;
        this.callMaximum = callMaximum;
        this.offered = offered;
    }

    /**
     * Asks the provider for its offer, opens (or finds) the account's channel to that provider and returns the
     * buyer. The offer must be on the account's chain and PaymentChannels contract, and, for a provider chosen from
     * the on-chain offers, name that provider as payee; whether the provider may be paid, and how much may be
     * deposited, is the account's policy to judge on chain.
     *
     * @param deposit    hUSD to deposit (and top up by), as the spec writes it
     * @param maxPerCall the largest maximum the account accepts for one call (for a provider chosen from an offer, what
     *                   the offer's prices make for the route's bounds when that is less)
     * @throws HyphaException INPUT for an unusable offer, CHAIN when the account refuses the deposit, NETWORK when the
     *                        provider cannot be reached
     */
    static ChannelInference connect(ChannelProviders.Provider provider, String deposit,
                                    AgentAccountsClient.Account accountAsKey, Credentials sessionKey,
                                    PaymentChannelsClient channels, long chainId, Path ledgerFile, BigInteger maxPerCall) {
        HttpClient http = provider.http();
        URI url = provider.url();
        HttpRequest probe = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        UptoRequirement offer;
        try {
            offer = UptoChannelClient.offerOf(probe, http.send(probe, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach the inference at " + url + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while asking " + url, e);
        }
        if (provider.payee().isPresent() && !provider.payee().get().equals(offer.payTo())) {
            throw HyphaException.input("the inference at " + url + " asks to be paid to "
                    + offer.payTo().toChecksumString() + ", not to the provider whose offer it is ("
                    + provider.payee().get().toChecksumString() + ")");
        }
        Optional<OfferTerms> offered = provider.offer().map(OfferTerms::of);
        Optional<BigInteger> byOffer = offered.map(t -> MeteredCompletions.maximum(t.prices()))
                .filter(m -> m.compareTo(maxPerCall) < 0);
        BigInteger callLimit = byOffer.orElse(maxPerCall);
        if (offer.maxAmount().compareTo(callLimit) > 0) {
            throw HyphaException.input("the inference at " + url + " asks up to " + offer.maxAmount() + " a call, above "
                    + (byOffer.isPresent() ? callLimit + " that its offer's prices (" + offered.get().prices()
                    .inputPerMillion() + "/" + offered.get().prices().outputPerMillion() + " per million tokens in/out)"
                    + " make for a call's bounds (" + MeteredCompletions.MAX_PROMPT_BYTES + " prompt bytes + "
                    + MeteredCompletions.TEMPLATE_TOKENS + ", " + MeteredCompletions.MAX_TOKENS + " generated tokens)"
                    : "the account's per-call maximum " + maxPerCall));
        }
        Address contract = channels.voucherDomain().contract();
        if (offer.chainId() != chainId || !offer.channels().equals(contract)) {
            throw HyphaException.input("the inference at " + url + " is paid on chain " + offer.chainId()
                    + " through " + offer.channels().toChecksumString() + "; this agent's account is on chain " + chainId
                    + " with PaymentChannels " + contract.toChecksumString());
        }
        ChannelParams channel = AccountChannel.usable(accountAsKey, channels, offer.payTo(), offer.asset(),
                Address.parse(sessionKey.getAddress()));
        BigInteger depositUnits = new BigDecimal(deposit).movePointRight(Deployer.PAYMENT_DECIMALS).toBigIntegerExact();
        PayerLedger ledger = PayerLedger.open(ledgerFile, channels.voucherDomain());
        try {
            ChannelState state = AccountChannel.ensureOpen(accountAsKey, channels, ledger, channel, depositUnits);
            // What was charged is at least what the provider redeemed; the rest is learnt from its refusal.
            // The client holds every later 402 to the same limit: a provider cannot raise its maximum after connecting.
            UptoChannelClient client = AccountChannel.client(http, ledger, channel, chainId, contract, callLimit,
                    sessionKey, state.redeemed());
            return new ChannelInference(url, provider.model(), ledger, channel, client, accountAsKey, channels,
                    depositUnits, offer.maxAmount(), offered);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /** The channel paid with. */
    ChannelParams channel() {
        return channel;
    }

    /** Where the completions are bought. */
    URI url() {
        return url;
    }

    /** The provider paid. */
    Address provider() {
        return channel.provider();
    }

    /** Whether this provider charged beyond its offer, so nothing more is bought from it. */
    boolean paysNothingMore() {
        return refused != null;
    }

    /** What the account deposited in the channel, as last seen. */
    BigInteger deposit() {
        return ledger.deposit(channel.id());
    }

    /**
     * Buys one completion.
     *
     * @throws HyphaException INPUT when the provider refuses the payment (naming why), answers badly, or charges beyond
     *                        its offer (now or before); NETWORK when it cannot be reached
     */
    Bought complete(String prompt, int maxTokens) {
        if (refused != null) {
            throw HyphaException.input("the inference at " + url + " is paid nothing more: " + refused);
        }
        ensureFunded();
        ObjectNode body = JSON.createObjectNode().put("prompt", prompt).put("max_tokens", maxTokens);
        if (!model.isBlank()) {
            body.put("model", model);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        UptoChannelClient.Result r = client.send(request);
        String answer = new String(r.response().body(), StandardCharsets.UTF_8);
        if (r.response().statusCode() == 402) {
            throw HyphaException.input("the inference at " + url + " refused the voucher for "
                    + r.voucher().map(v -> v.cumulativeAmount().toString()).orElse("nothing") + ": "
                    + AgentLog.quote(errorOf(answer)));
        }
        if (r.response().statusCode() != 200) {
            throw new HyphaException(ErrorCategory.NETWORK, "the inference at " + url + " answered "
                    + r.response().statusCode() + ": " + AgentLog.quote(errorOf(answer)));
        }
        try {
            JsonNode json = JSON.readTree(answer);
            if (json == null || !json.path("text").isTextual()) {
                throw HyphaException.input("the inference at " + url + " answered without a text");
            }
            if (offered.isPresent()) {
                heldToOffer(offered.get(), json, r.cost(), prompt, maxTokens);
            }
            return new Bought(json.get("text").textValue(), r.cost(),
                    r.voucher().map(v -> v.cumulativeAmount()).orElse(BigInteger.ZERO), r.charged());
        } catch (IOException e) {
            throw HyphaException.input("the inference at " + url + " answered something other than JSON");
        }
    }

    /**
     * Refuses (and marks this provider paid nothing more) a settlement of {@code cost} beyond what the offer's prices
     * make for the tokens the answer reports, or tokens beyond the call's bounds: the voucher let the provider charge up
     * to the call's maximum, so the charge stands, but no further voucher is signed to it.
     */
    private void heldToOffer(OfferTerms terms, JsonNode answer, BigInteger cost, String prompt, int maxTokens) {
        JsonNode in = answer.path("prompt_tokens");
        JsonNode out = answer.path("completion_tokens");
        long promptBound = (long) prompt.getBytes(StandardCharsets.UTF_8).length + MeteredCompletions.TEMPLATE_TOKENS;
        String wrong;
        if (!in.isIntegralNumber() || !out.isIntegralNumber() || !in.canConvertToLong() || !out.canConvertToLong()
                || in.longValue() < 0 || out.longValue() < 0) {
            wrong = "it charged " + cost + " without the prompt_tokens and completion_tokens its offer's prices apply to";
        } else if (out.longValue() > maxTokens || in.longValue() > promptBound) {
            wrong = "it reports " + in.longValue() + "/" + out.longValue() + " tokens in/out where the call allowed at"
                    + " most " + promptBound + "/" + maxTokens + " (charged " + cost + ")";
        } else {
            wrong = terms.overcharge(cost, in.longValue(), out.longValue()).orElse(null);
        }
        if (wrong != null) {
            refused = wrong + "; it keeps what this call's voucher allowed (channel " + channel.id() + " charged "
                    + client.charged() + ")";
            throw HyphaException.input("the inference at " + url + " charged beyond its offer, so its answer is refused"
                    + " and it is paid nothing more: " + refused);
        }
    }

    /**
     * Tops the channel up through the account's policy when this call's voucher (what was signed, or what was charged
     * plus the offer's maximum) would pass the deposit: by the spec's deposit, or more if one call needs more.
     *
     * @throws HyphaException CHAIN naming the policy's refusal (period limit, session cap, frozen account)
     */
    private void ensureFunded() {
        BigInteger deposit = ledger.deposit(channel.id());
        BigInteger next = ledger.signedTotal(channel.id()).max(client.charged().add(callMaximum));
        if (next.compareTo(deposit) <= 0) {
            return;
        }
        accountAsKey.topUpChannel(channel, topUp.max(next.subtract(deposit)));
        ledger.track(channel, channels.state(channel.id()).deposit());
    }

    private static String errorOf(String body) {
        try {
            JsonNode j = JSON.readTree(body);
            return j != null && j.path("error").isTextual() ? j.get("error").textValue() : body;
        } catch (IOException e) {
            return body;
        }
    }

    @Override
    public void close() {
        ledger.close();
    }
}
