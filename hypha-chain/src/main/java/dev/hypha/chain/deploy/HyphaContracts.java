package dev.hypha.chain.deploy;

import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import java.util.Objects;

/**
 * Hypha's contracts on one chain, used from one account ({@link #connect}) or from none ({@link #readOnly}): one small
 * client per contract over a shared reader/writer ({@link ContractCalls}). Reads go through the generated bindings,
 * writes through a {@link TransactionSender} (nonces, fees, decoded reverts). A new contract gets its own client here.
 */
public final class HyphaContracts {
    private final ContractCalls calls;
    private final HyphaTokenClient hyp;
    private final PaymentTokenClient payment;
    private final StakingClient staking;
    private final ProviderRegistryClient registry;
    private final GovernanceClient governance;
    private final PaymentChannelsClient channels;
    private final InferenceCoordinatorClient coordinator;
    private final OfferRegistryClient offers;
    private final ComputeMarketClient compute;
    private final TrainingVerifierClient verifier;
    private final OpmlVerifierClient opml;
    private final AssetRegistryClient assets;
    private final RoyaltySplitterClient royalties;
    private final AccessGrantsClient grants;
    private final DataPoolsClient pools;
    private final IdentityRegistryClient identity;
    private final ReputationRegistryClient reputation;
    private final PaymentReceiptsClient receipts;
    private final AgentAccountsClient agentAccounts;
    private final ServiceEscrowClient escrow;
    private final SubnetsClient subnets;
    private final ProvenFeedClient feeds;
    private final AppRewardsClient apps;
    private final EmissionAuctionClient auction;

    private HyphaContracts(ContractCalls calls) {
        this.calls = calls;
        this.hyp = new HyphaTokenClient(calls);
        this.payment = new PaymentTokenClient(calls);
        this.staking = new StakingClient(calls, hyp);
        this.registry = new ProviderRegistryClient(calls);
        this.governance = new GovernanceClient(calls);
        this.channels = new PaymentChannelsClient(calls);
        this.coordinator = new InferenceCoordinatorClient(calls);
        this.offers = new OfferRegistryClient(calls);
        this.compute = new ComputeMarketClient(calls);
        this.verifier = new TrainingVerifierClient(calls);
        this.opml = new OpmlVerifierClient(calls);
        this.assets = new AssetRegistryClient(calls);
        this.royalties = new RoyaltySplitterClient(calls);
        this.grants = new AccessGrantsClient(calls, assets);
        this.pools = new DataPoolsClient(calls);
        this.identity = new IdentityRegistryClient(calls);
        this.reputation = new ReputationRegistryClient(calls);
        this.receipts = new PaymentReceiptsClient(calls);
        this.agentAccounts = new AgentAccountsClient(calls);
        this.escrow = new ServiceEscrowClient(calls);
        this.subnets = new SubnetsClient(calls, hyp);
        this.feeds = new ProvenFeedClient(calls);
        this.apps = new AppRewardsClient(calls);
        this.auction = new EmissionAuctionClient(calls);
    }

    /** Hypha's contracts of {@code deployment}, used as {@code sender}'s account. */
    public static HyphaContracts connect(Deployment deployment, TransactionSender sender) {
        Objects.requireNonNull(deployment, "deployment");
        return new HyphaContracts(ContractCalls.connect(deployment, sender));
    }

    /**
     * Hypha's contracts of {@code deployment} for reading only: no key is needed, and every write fails with an
     * error saying so. Read calls are made from the zero address; reverts are decoded with
     * {@link RevertDecoder#forHyphaContracts()}.
     */
    public static HyphaContracts readOnly(Deployment deployment, ChainClient client) {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(client, "client");
        return new HyphaContracts(ContractCalls.readOnly(deployment, client));
    }

    /** HyphaToken (HYP). */
    public HyphaTokenClient hyp() {
        return hyp;
    }

    /** PaymentToken (hUSD). */
    public PaymentTokenClient payment() {
        return payment;
    }

    /** Staking. */
    public StakingClient staking() {
        return staking;
    }

    /** ProviderRegistry. */
    public ProviderRegistryClient registry() {
        return registry;
    }

    /** HyphaTimelock (governance). */
    public GovernanceClient governance() {
        return governance;
    }

    /** PaymentChannels. */
    public PaymentChannelsClient channels() {
        return channels;
    }

    /** InferenceCoordinator (inference requested by contracts). */
    public InferenceCoordinatorClient coordinator() {
        return coordinator;
    }

    /** OfferRegistry. */
    public OfferRegistryClient offers() {
        return offers;
    }

    /** ComputeMarket (training compute: orders, bids, leases). */
    public ComputeMarketClient compute() {
        return compute;
    }

    /** OpmlVerifier (optimistic verification of IntLm inference receipts: disputes down to one operation). */
    public OpmlVerifierClient opml() {
        return opml;
    }

    /** TrainingVerifier (state commitments and disputes of training leases). */
    public TrainingVerifierClient verifier() {
        return verifier;
    }

    /** AssetRegistry (datasets and models: licences, versions, lineage). */
    public AssetRegistryClient assets() {
        return assets;
    }

    /** RoyaltySplitter (revenue paid to assets, split up their lineage). */
    public RoyaltySplitterClient royalties() {
        return royalties;
    }

    /** AccessGrants (who may read an asset; data keys encrypted to grantees). */
    public AccessGrantsClient grants() {
        return grants;
    }

    /** DataPools (contributions, validator scores, rewards). */
    public DataPoolsClient pools() {
        return pools;
    }

    /** IdentityRegistry (ERC-8004 agent identities). */
    public IdentityRegistryClient identity() {
        return identity;
    }

    /** ReputationRegistry (ERC-8004 feedback, weighted by proven payments). */
    public ReputationRegistryClient reputation() {
        return reputation;
    }

    /** PaymentReceipts (x402 exact payments settled with a receipt). */
    public PaymentReceiptsClient receipts() {
        return receipts;
    }

    /** AgentAccountFactory and agent accounts (contract-enforced spending policies). */
    public AgentAccountsClient agentAccounts() {
        return agentAccounts;
    }

    /** ServiceEscrow (milestone agreements between agents). */
    public ServiceEscrowClient escrow() {
        return escrow;
    }

    /** SubnetRegistry, SubnetEpochs and SubnetEmissions (incentive subnets). */
    public SubnetsClient subnets() {
        return subnets;
    }

    /** ProvenPredictionFeed (classifications proven by hypha-zk proofs, verified by MlpProofVerifier). */
    public ProvenFeedClient feeds() {
        return feeds;
    }

    /** AppRewards (apps, their paid uses, revenue shares and rewards). */
    public AppRewardsClient apps() {
        return apps;
    }

    /** EmissionAuction (the apps' share of emission sold for the payment token into AppRewards' pool). */
    public EmissionAuctionClient auction() {
        return auction;
    }

    /** The deployment these contracts belong to. */
    public Deployment deployment() {
        return calls.deployment();
    }

    /** Whether these contracts were opened with {@link #readOnly} and so cannot send transactions. */
    public boolean isReadOnly() {
        return calls.isReadOnly();
    }

    /**
     * The account writes are sent from.
     *
     * @throws dev.hypha.chain.ChainException for {@link #readOnly} contracts, which have no account
     */
    public String account() {
        return calls.account();
    }
}
