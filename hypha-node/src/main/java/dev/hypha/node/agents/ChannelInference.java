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
import dev.hypha.node.payments.PayerLedger;
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
import org.web3j.crypto.Credentials;

/**
 * A served agent's inference bought from a provider's metered completions ({@code x402.MeteredCompletions}) with x402
 * {@code upto} over a payment channel its AgentAccount funds ({@link AccountChannel}): the first 402 says whom to pay,
 * in what, on which PaymentChannels; the session key opens the channel through the account's policy (which refuses a
 * provider the owner did not allow, or a deposit above the per-call maximum), then signs one voucher per call for what
 * was charged so far plus the call's maximum, and the provider charges what the tokens cost. The payer's ledger
 * ({@code <agent>/channels.sqlite}) records each voucher total before it is signed, so a restart never signs less than
 * a provider may hold; the channel's charged total is learnt again from the provider's first refusal after a restart.
 */
final class ChannelInference implements AutoCloseable {
    /** One bought completion: the text, what it cost, the voucher sent and the channel's charged total after it. */
    record Bought(String text, BigInteger cost, BigInteger voucher, BigInteger charged) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final URI url;
    private final PayerLedger ledger;
    private final ChannelParams channel;
    private final UptoChannelClient client;

    private ChannelInference(URI url, PayerLedger ledger, ChannelParams channel, UptoChannelClient client) {
        this.url = url;
        this.ledger = ledger;
        this.channel = Objects.requireNonNull(channel, "channel");
        this.client = client;
    }

    /**
     * Asks {@code spec.url()} for its offer, opens (or finds) the account's channel to that provider and returns the
     * buyer. The offer must be on the account's chain and PaymentChannels contract; whether the provider may be paid,
     * and how much may be deposited, is the account's policy to judge on chain.
     *
     * @param maxPerCall the largest maximum accepted for one call
     * @throws HyphaException INPUT for an unusable offer, CHAIN when the account refuses the deposit, NETWORK when the
     *                        provider cannot be reached
     */
    static ChannelInference connect(AgentSpec.InferenceChannel spec, AgentAccountsClient.Account accountAsKey,
                                    Credentials sessionKey, PaymentChannelsClient channels, long chainId, Path ledgerFile,
                                    BigInteger maxPerCall) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest probe = HttpRequest.newBuilder(spec.url()).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        UptoRequirement offer;
        try {
            offer = UptoChannelClient.offerOf(probe, http.send(probe, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach the inference at " + spec.url() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while asking " + spec.url(), e);
        }
        Address contract = channels.voucherDomain().contract();
        if (offer.chainId() != chainId || !offer.channels().equals(contract)) {
            throw HyphaException.input("the inference at " + spec.url() + " is paid on chain " + offer.chainId()
                    + " through " + offer.channels().toChecksumString() + "; this agent's account is on chain " + chainId
                    + " with PaymentChannels " + contract.toChecksumString());
        }
        ChannelParams channel = AccountChannel.params(Address.parse(accountAsKey.address()), offer.payTo(), offer.asset(), 0);
        BigInteger deposit = new BigDecimal(spec.deposit()).movePointRight(Deployer.PAYMENT_DECIMALS).toBigIntegerExact();
        PayerLedger ledger = PayerLedger.open(ledgerFile, channels.voucherDomain());
        try {
            ChannelState state = AccountChannel.ensureOpen(accountAsKey, channels, ledger, channel, deposit);
            // What was charged is at least what the provider redeemed; the rest is learnt from its refusal.
            UptoChannelClient client = AccountChannel.client(http, ledger, channel, chainId, contract, maxPerCall,
                    sessionKey, state.redeemed());
            return new ChannelInference(spec.url(), ledger, channel, client);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /** The channel paid with. */
    ChannelParams channel() {
        return channel;
    }

    /** The provider paid. */
    Address provider() {
        return channel.provider();
    }

    /** What the account deposited in the channel, as last seen. */
    BigInteger deposit() {
        return ledger.deposit(channel.id());
    }

    /**
     * Buys one completion.
     *
     * @throws HyphaException INPUT when the provider refuses the payment (naming why) or answers badly, NETWORK when
     *                        it cannot be reached
     */
    Bought complete(String prompt, int maxTokens, String model) {
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
            return new Bought(json.get("text").textValue(), r.cost(),
                    r.voucher().map(v -> v.cumulativeAmount()).orElse(BigInteger.ZERO), r.charged());
        } catch (IOException e) {
            throw HyphaException.input("the inference at " + url + " answered something other than JSON");
        }
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
