package dev.hypha.node.royalties;

import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.payments.ProviderLedger;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pays what a provider's answers owe the models' lineage. For each model registered in AssetRegistry by a publisher the
 * provider trusts (itself, or one it named: see {@link ModelAssets}) under licence terms {@code PaidPerToken}, the royalty on its answers' tokens that the chain has paid for (their channels redeemed)
 * is {@code floor(tokens × price / 1000)} in the licence's token, paid to the model asset through RoyaltySplitter,
 * which splits it up the lineage by the declared shares (the data owners then withdraw). Models not registered, or
 * registered under other terms, owe nothing here and nothing is routed.
 *
 * <p>Paid once: each payment is recorded in the ledger before it is sent; after a crash the chain's RevenuePaid events
 * since the recorded block say whether it landed (then its tokens count as routed) or not (then it is sent again).
 * The sub-unit remainder of {@code tokens × price / 1000} in one payment is not carried over (less than one token unit
 * per payment).
 */
public final class RoyaltyRouter {
    /** Licence prices are per this many tokens (AssetRegistry's PaidPerToken). */
    public static final BigInteger TOKENS_PER_PRICE = BigInteger.valueOf(1_000);

    /** The chain side: registry reads, RoyaltySplitter payments by this provider and their events. */
    public interface Chain {
        /** Model digest to the model asset it is (see {@link ModelAssets}). */
        Map<String, Long> modelAssets();

        Licence licence(long assetId);

        long blockNumber();

        /** The amounts this provider paid in {@code token} to {@code assetId} from {@code fromBlock} on. */
        List<BigInteger> paymentsSince(long assetId, Address token, long fromBlock);

        void pay(long assetId, Address token, BigInteger amount);
    }

    /** One model's outcome: the asset paid, the tokens and amount, and why it failed when it did. */
    public record Routed(String model, long assetId, long tokens, BigInteger amount, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final ProviderLedger ledger;
    private final Chain chain;

    public RoyaltyRouter(ProviderLedger ledger, Chain chain) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.chain = Objects.requireNonNull(chain, "chain");
    }

    /**
     * A router paying from {@code provider}'s account (the one that redeems its channels) for the models registered by
     * {@code publishers} or by the provider itself (see {@link #trusted}).
     */
    public static RoyaltyRouter onChain(ProviderLedger ledger, HyphaContracts provider, List<Address> publishers) {
        return new RoyaltyRouter(ledger, chain(provider, publishers));
    }

    /**
     * Whose model registrations a provider pays: the publishers it named, in order, then its own account (a provider
     * that registered the model it serves pays its own asset, so the lineage gets its shares).
     */
    public static List<Address> trusted(Address provider, List<Address> publishers) {
        LinkedHashSet<Address> out = new LinkedHashSet<>(publishers);
        out.add(provider);
        return List.copyOf(out);
    }

    /**
     * The chain side through AssetRegistry and RoyaltySplitter, paying from {@code provider}'s account for the models
     * registered by {@code publishers} or the provider itself.
     */
    public static Chain chain(HyphaContracts provider, List<Address> publishers) {
        Address payer = Address.parse(provider.account());
        List<Address> trusted = trusted(payer, publishers);
        return new Chain() {
            @Override
            public Map<String, Long> modelAssets() {
                return ModelAssets.byDigest(provider.assets(), trusted);
            }

            @Override
            public Licence licence(long assetId) {
                return provider.assets().licence(assetId);
            }

            @Override
            public long blockNumber() {
                return provider.royalties().blockNumber();
            }

            @Override
            public List<BigInteger> paymentsSince(long assetId, Address token, long fromBlock) {
                return provider.royalties().paymentsSince(assetId, payer, token, fromBlock);
            }

            @Override
            public void pay(long assetId, Address token, BigInteger amount) {
                provider.royalties().pay(assetId, token, amount);
            }
        };
    }

    /**
     * Settles any payment a crash left pending, then pays each registered model's due royalty. One failing model does
     * not stop the others; what failed stays due for the next call.
     */
    public synchronized List<Routed> routeAll() {
        List<Routed> out = new ArrayList<>();
        for (ProviderLedger.PendingRoyalty p : ledger.pendingRoyalties()) {
            // Sent or not before the crash: the chain says which. Not landed: its tokens are due again below.
            ledger.royaltySettled(p, landed(p));
        }
        Map<String, Long> assets = null;
        for (ProviderLedger.ModelTally tally : ledger.modelTallies()) {
            if (tally.due() <= 0) {
                continue;
            }
            if (assets == null) {
                assets = chain.modelAssets(); // read once per pass, and only when something is due
            }
            Long assetId = assets.get(tally.model());
            if (assetId == null) {
                continue; // not a registered model: nothing routed
            }
            Licence licence = chain.licence(assetId);
            if (licence.terms() != Terms.PAID_PER_TOKEN) {
                continue; // free, non-commercial or sold per access grant: inference owes nothing
            }
            BigInteger amount = BigInteger.valueOf(tally.due()).multiply(licence.price()).divide(TOKENS_PER_PRICE);
            if (amount.signum() == 0) {
                continue; // less than one unit so far: wait for more tokens
            }
            // Searched from the block after the latest: the payment cannot be mined earlier, and an earlier payment of
            // the same amount to the same asset must not be mistaken for it.
            ProviderLedger.PendingRoyalty p = new ProviderLedger.PendingRoyalty(tally.model(), assetId,
                    licence.token().lowercaseHex(), tally.due(), amount, chain.blockNumber() + 1);
            ledger.royaltyPending(p);
            String error = null;
            boolean landed;
            try {
                chain.pay(assetId, licence.token(), amount);
                landed = true;
            } catch (HyphaException e) {
                error = e.getMessage();
                landed = landed(p); // a timeout may hide a payment that went through
            }
            ledger.royaltySettled(p, landed);
            out.add(new Routed(tally.model(), assetId, tally.due(), amount, landed ? null : error));
        }
        return List.copyOf(out);
    }

    private boolean landed(ProviderLedger.PendingRoyalty p) {
        return chain.paymentsSince(p.assetId(), Address.parse(p.token()), p.fromBlock()).contains(p.amount());
    }
}
