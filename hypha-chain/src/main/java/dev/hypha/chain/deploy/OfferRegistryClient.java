package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.OfferRegistry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * OfferRegistry: providers publish, refresh (heartbeat) and withdraw their offers; anyone reads them page by page.
 * Reads return what the chain holds without judging it: a reader such as a gateway treats every field as untrusted.
 */
public final class OfferRegistryClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "OfferRegistry";
    /** Most offers one {@link #page} call returns (the contract's MAX_PAGE_SIZE). */
    public static final int MAX_PAGE_SIZE = 100;
    /** Most offers one provider may have (the contract's MAX_OFFERS_PER_PROVIDER). */
    public static final int MAX_OFFERS_PER_PROVIDER = 32;
    /** Longest model name the contract accepts, in bytes (its MAX_MODEL_NAME_LENGTH). */
    public static final int MAX_MODEL_NAME_LENGTH = 128;

    private static final Pattern BYTES32 = Pattern.compile("0x[0-9a-f]{64}");
    private static final Pattern MODEL_NAME = Pattern.compile("[\\x21-\\x7e]{1," + MAX_MODEL_NAME_LENGTH + "}");
    private static final BigInteger UINT128_MAX = BigInteger.TWO.pow(128).subtract(BigInteger.ONE);
    private static final long UINT32_MAX = 0xffff_ffffL;

    /**
     * What a provider publishes for one model in one payment token; checked here as the contract checks it, so a bad
     * offer fails before any gas is spent.
     *
     * @param modelId          the model's content-id digest, 0x + 64 lower-case hex digits, not zero
     * @param token            the ERC-20 the prices are in
     * @param model            the model's name as served: 1..128 printable ASCII characters, no spaces
     * @param inputPerMillion  price of a million prompt tokens in the token's smallest units, 0..2^128-1
     * @param outputPerMillion price of a million generated tokens in the token's smallest units, 0..2^128-1
     * @param contextLength    longest context served, in tokens, 1..2^32-1
     * @param concurrency      requests served at once, 1..2^32-1
     */
    public record OfferTerms(String modelId, String token, String model, BigInteger inputPerMillion,
                             BigInteger outputPerMillion, long contextLength, long concurrency) {
        public OfferTerms {
            modelId = Objects.requireNonNull(modelId, "modelId").toLowerCase(Locale.ROOT);
            if (!BYTES32.matcher(modelId).matches() || modelId.equals("0x" + "0".repeat(64))) {
                throw ChainErrors.input("model id '" + modelId + "' must be 0x + 64 hex digits, not all zero");
            }
            token = address(token);
            if (token.equals("0x" + "0".repeat(40))) {
                throw ChainErrors.input("payment token must not be the zero address");
            }
            if (!MODEL_NAME.matcher(Objects.requireNonNull(model, "model")).matches()) {
                throw ChainErrors.input("model name '" + model + "' must be 1.." + MAX_MODEL_NAME_LENGTH
                        + " printable ASCII characters without spaces");
            }
            price("input price per million tokens", inputPerMillion);
            price("output price per million tokens", outputPerMillion);
            positiveUint32("context length", contextLength);
            positiveUint32("concurrency", concurrency);
        }

        private static void price(String what, BigInteger v) {
            if (v == null || v.signum() < 0 || v.compareTo(UINT128_MAX) > 0) {
                throw ChainErrors.input(what + " must be between 0 and 2^128-1 token units, was " + v);
            }
        }

        private static void positiveUint32(String what, long v) {
            if (v < 1 || v > UINT32_MAX) {
                throw ChainErrors.input(what + " must be between 1 and " + UINT32_MAX + ", was " + v);
            }
        }
    }

    /**
     * One offer as the chain holds it (unchecked: strings are whatever a provider managed to store).
     *
     * @param id               the offer's id (keccak of provider, model id and token)
     * @param provider         the provider's account, lower-case hex
     * @param modelId          the model's content-id digest, 0x + 64 hex digits
     * @param token            the payment token, lower-case hex
     * @param model            the model's name
     * @param inputPerMillion  price of a million prompt tokens in the token's smallest units
     * @param outputPerMillion price of a million generated tokens in the token's smallest units
     * @param contextLength    longest context served, in tokens
     * @param concurrency      requests served at once
     * @param lastHeartbeat    the provider's last heartbeat, chain seconds
     * @param liveUntil        lastHeartbeat + maxAge, chain seconds: the offer is live up to and including it
     */
    public record PublishedOffer(String id, String provider, String modelId, String token, String model,
                                 BigInteger inputPerMillion, BigInteger outputPerMillion, long contextLength,
                                 long concurrency, long lastHeartbeat, long liveUntil) {}

    private final ContractCalls calls;
    private final OfferRegistry binding;

    OfferRegistryClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, OfferRegistry::load);
    }

    /** The generated binding, for reads not wrapped here. */
    public OfferRegistry binding() {
        return binding;
    }

    /**
     * The account this client publishes as.
     *
     * @throws dev.hypha.chain.ChainException for a read-only client, which has none
     */
    public String account() {
        return calls.account();
    }

    /** Seconds an offer stays live after its provider's last heartbeat. */
    public long maxAge() {
        return read(NAME + ".maxAge", () -> binding.maxAge().send()).longValueExact();
    }

    /** Number of offers published and not withdrawn, live or not. */
    public long offerCount() {
        return read(NAME + ".offerCount", () -> binding.offerCount().send()).longValueExact();
    }

    /** Offers {@code start .. start + count - 1} in the registry's order (fewer at the end of the list). */
    public List<PublishedOffer> page(long start, int count) {
        if (start < 0 || count < 1 || count > MAX_PAGE_SIZE) {
            throw ChainErrors.input("offer page must start at >= 0 and hold 1.." + MAX_PAGE_SIZE + " offers, was start "
                    + start + ", count " + count);
        }
        List<?> raw = read(NAME + ".offersPage",
                () -> binding.offersPage(BigInteger.valueOf(start), BigInteger.valueOf(count)).send());
        if (raw.size() > count) {
            throw ChainErrors.chain(NAME + ".offersPage returned " + raw.size() + " offers for a page of " + count);
        }
        return convert(raw);
    }

    /** All offers of {@code provider} (at most {@link #MAX_OFFERS_PER_PROVIDER}). */
    public List<PublishedOffer> offersOf(String provider) {
        String p = address(provider);
        List<?> raw = read(NAME + ".offersOf", () -> binding.offersOf(p).send());
        if (raw.size() > MAX_OFFERS_PER_PROVIDER) {
            throw ChainErrors.chain(NAME + ".offersOf returned " + raw.size() + " offers, more than a provider may have");
        }
        return convert(raw);
    }

    /** The block timestamp of {@code provider}'s last heartbeat or publish (0 if never). */
    public long lastHeartbeat(String provider) {
        String p = address(provider);
        return read(NAME + ".lastHeartbeat", () -> binding.lastHeartbeat(p).send()).longValueExact();
    }

    /** Publishes (or replaces) this account's offer for the terms' model and token; counts as a heartbeat. */
    public TransactionReceipt publish(OfferTerms t) {
        return calls.write(NAME, "publish", binding.publish(Numeric.hexStringToByteArray(t.modelId()), t.token(),
                t.model(), t.inputPerMillion(), t.outputPerMillion(), BigInteger.valueOf(t.contextLength()),
                BigInteger.valueOf(t.concurrency())));
    }

    /** Keeps all this account's offers live for another maxAge (reverts NoOffers when it has none). */
    public TransactionReceipt heartbeat() {
        return calls.write(NAME, "heartbeat", binding.heartbeat());
    }

    /** Withdraws this account's offer of {@code modelId} priced in {@code token}. */
    public TransactionReceipt withdraw(String modelId, String token) {
        return calls.write(NAME, "withdraw", binding.withdraw(
                ContractCalls.bytes32("model id", Numeric.hexStringToByteArray(modelId)), address(token)));
    }

    /** Withdraws all this account's offers. */
    public TransactionReceipt withdrawAll() {
        return calls.write(NAME, "withdrawAll", binding.withdrawAll());
    }

    /** Removes someone's offer that is no longer live (anyone may). */
    public TransactionReceipt prune(String offerId) {
        return calls.write(NAME, "prune", binding.prune(ContractCalls.bytes32("offer id", Numeric.hexStringToByteArray(offerId))));
    }

    private static List<PublishedOffer> convert(List<?> raw) {
        List<PublishedOffer> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            OfferRegistry.OfferView v = (OfferRegistry.OfferView) o;
            out.add(new PublishedOffer(Numeric.toHexString(v.id), v.provider.toLowerCase(Locale.ROOT),
                    Numeric.toHexString(v.modelId), v.token.toLowerCase(Locale.ROOT), v.model, v.inputPerMillion,
                    v.outputPerMillion, v.contextLength.longValueExact(), v.concurrency.longValueExact(),
                    v.lastHeartbeat.longValueExact(), v.liveUntil.longValueExact()));
        }
        return List.copyOf(out);
    }
}
