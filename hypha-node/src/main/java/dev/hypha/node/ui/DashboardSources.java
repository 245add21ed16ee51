package dev.hypha.node.ui;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.compute.TenantJobs;
import dev.hypha.node.gateway.network.PayerChannels;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.ProviderLedger;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the dashboard reads: the node's real state, owned by whoever runs the node (the dashboard closes none of it).
 *
 * @param home      the Hypha home (the gateways' receipts and reputation files live under it, and the job book of a
 *                  compute provider running on it)
 * @param chain     the chain the node follows
 * @param contracts the deployment, read-only (no key)
 * @param store     the home's model store
 * @param offers    the offers on chain
 * @param payer     the paying gateway's account, channels and receipts; empty when the gateway answers locally only
 * @param provider  a provider running in this process (its account and voucher ledger); empty when none does
 * @param roles     what this node runs, in words (e.g. "chain (anvil)", "gateway (paying)", "provider")
 * @param indexer   the node's event index of the deployment (grants and royalty credits are found through it);
 *                  empty when the node runs none
 * @param tenant    the account that may order training from the page (the node holds its key); empty when none may
 */
public record DashboardSources(Path home, ChainClient chain, HyphaContracts contracts, ModelStore store,
                               OfferSource offers, Optional<Payer> payer, Optional<Seller> provider,
                               List<String> roles, Optional<EventIndexer> indexer, Optional<Tenant> tenant) {

    /** Sources whose page orders no training. */
    public DashboardSources(Path home, ChainClient chain, HyphaContracts contracts, ModelStore store, OfferSource offers,
                            Optional<Payer> payer, Optional<Seller> provider, List<String> roles,
                            Optional<EventIndexer> indexer) {
        this(home, chain, contracts, store, offers, payer, provider, roles, indexer, Optional.empty());
    }

    /** Sources without an event index (the asset panel then lists no grants or royalty balances). */
    public DashboardSources(Path home, ChainClient chain, HyphaContracts contracts, ModelStore store, OfferSource offers,
                            Optional<Payer> payer, Optional<Seller> provider, List<String> roles) {
        this(home, chain, contracts, store, offers, payer, provider, roles, Optional.empty(), Optional.empty());
    }

    /**
     * The gateway's paying side: its account, the channels it opened and the receipts it accepted, and (when the
     * page may fund channels) the gateway's {@link PayerChannels}, which sign with the key the node holds.
     */
    public record Payer(Address account, PayerLedger ledger, PayerReceipts receipts, Optional<PayerChannels> channels) {
        public Payer {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(ledger, "ledger");
            Objects.requireNonNull(receipts, "receipts");
            Objects.requireNonNull(channels, "channels");
        }

        /** A paying side the page only reads (no channel funding from the page). */
        public Payer(Address account, PayerLedger ledger, PayerReceipts receipts) {
            this(account, ledger, receipts, Optional.empty());
        }
    }

    /**
     * The tenant side of the compute market, signing with a key the node already holds (as {@code hypha train submit}
     * does with the home's account): its account and the {@link TenantJobs} that place, lease and hand off orders.
     */
    public record Tenant(Address account, TenantJobs jobs) {
        public Tenant {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(jobs, "jobs");
        }
    }

    /** A provider running in this process: its account and the ledger of what its channels earned. */
    public record Seller(Address account, ProviderLedger ledger) {
        public Seller {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(ledger, "ledger");
        }
    }

    public DashboardSources {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(contracts, "contracts");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(offers, "offers");
        Objects.requireNonNull(payer, "payer");
        Objects.requireNonNull(provider, "provider");
        roles = List.copyOf(roles);
        Objects.requireNonNull(indexer, "indexer");
        Objects.requireNonNull(tenant, "tenant");
    }
}
