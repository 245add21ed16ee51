package dev.hypha.chain.deploy;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.HyphaTimelock;
import dev.hypha.chain.contracts.HyphaToken;
import dev.hypha.chain.contracts.AccessGrants;
import dev.hypha.chain.contracts.AppRewards;
import dev.hypha.chain.contracts.EmissionAuction;
import dev.hypha.chain.contracts.AssetRegistry;
import dev.hypha.chain.contracts.ComputeMarket;
import dev.hypha.chain.contracts.DataPools;
import dev.hypha.chain.contracts.RoyaltySplitter;
import dev.hypha.chain.contracts.InferenceCoordinator;
import dev.hypha.chain.contracts.OfferRegistry;
import dev.hypha.chain.contracts.PaymentChannels;
import dev.hypha.chain.contracts.PaymentToken;
import dev.hypha.chain.contracts.ProviderRegistry;
import dev.hypha.chain.contracts.Staking;
import dev.hypha.chain.contracts.SubnetEmissions;
import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.contracts.SubnetRegistry;
import dev.hypha.chain.contracts.OpmlVerifier;
import dev.hypha.chain.contracts.TrainingVerifier;
import dev.hypha.chain.contracts.AgentAccountFactory;
import dev.hypha.chain.contracts.EntryPoint;
import dev.hypha.chain.contracts.IdentityRegistry;
import dev.hypha.chain.contracts.PaymentReceipts;
import dev.hypha.chain.contracts.ReputationRegistry;
import dev.hypha.chain.contracts.ServiceEscrow;
import dev.hypha.chain.contracts.ValidationRegistry;
import dev.hypha.chain.contracts.MlpProofVerifier;
import dev.hypha.chain.contracts.ProvenPredictionFeed;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint48;
import org.web3j.abi.datatypes.generated.Uint128;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Deploys Hypha's contracts (HyphaTimelock, HyphaToken, PaymentToken, Staking, ProviderRegistry, PaymentChannels,
 * OfferRegistry, ComputeMarket, TrainingVerifier, and the provenance set AssetRegistry, RoyaltySplitter, AccessGrants,
 * DataPools, and the agents' set IdentityRegistry, ValidationRegistry, PaymentReceipts, ServiceEscrow, ReputationRegistry,
 * EntryPoint, AgentAccountFactory, the subnets' SubnetRegistry, SubnetEmissions, SubnetEpochs, AppRewards, whose
 * protocol fees go to the timelock as treasury, and EmissionAuction, which sells the apps' share of emission into
 * AppRewards' pool) to any EVM chain from one account, using the bytecode of the generated bindings. Works the same against
 * anvil and a public RPC URL.
 *
 * <p>Governance: HyphaTimelock is the default admin of HyphaToken, Staking and ProviderRegistry (handed over only in
 * two steps, after {@link DeployParams#governanceDelaySeconds()}) and the default slash sink. The governor (the deployer
 * unless given) only proposes to it; anyone may execute a proposal once its delay has passed. The deployer keeps no
 * role on any contract except PaymentToken, the local stablecoin stand-in whose owner is its faucet.
 */
public final class Deployer {
    /** Payment token metadata for local networks: a 6-decimals stablecoin stand-in. */
    public static final String PAYMENT_NAME = "Hypha USD";
    public static final String PAYMENT_SYMBOL = "hUSD";
    public static final int PAYMENT_DECIMALS = 6;

    private final TransactionSender sender;
    private final Consumer<String> progress;

    /** A deployer sending from {@code sender}'s account, without progress output. */
    public Deployer(TransactionSender sender) {
        this(sender, line -> { });
    }

    /** A deployer that reports each step (e.g. "deployed Staking at 0x...") to {@code progress}. */
    public Deployer(TransactionSender sender, Consumer<String> progress) {
        this.sender = sender;
        this.progress = progress;
    }

    /** Deploys every contract of {@link dev.hypha.chain.abi.HyphaAbis#NAMES} and returns their record (not yet saved). */
    public Deployment deploy(DeployParams params) {
        ChainClient client = sender.client();
        long chainId = client.chainId();
        checkForChain(params, chainId);
        String deployer = sender.address();
        String governor = params.governor().orElse(deployer);
        Map<String, DeployedContract> contracts = new LinkedHashMap<>();

        DeployedContract timelock = create(GovernanceClient.NAME, HyphaTimelock.BINARY, List.of(
                new Uint256(params.governanceDelaySeconds()),
                new DynamicArray<>(Address.class, List.of(new Address(governor))),
                // address(0) as executor: anyone may execute an operation once its delay has passed.
                new DynamicArray<>(Address.class, List.of(Address.DEFAULT))));
        contracts.put(GovernanceClient.NAME, timelock);
        String admin = timelock.address();
        Uint48 adminDelay = new Uint48(params.governanceDelaySeconds());
        String sink = params.slashSink().orElse(admin);

        DeployedContract hyp = create(HyphaTokenClient.NAME, HyphaToken.BINARY, List.of(
                new Address(admin), adminDelay, new Uint256(params.hypCap()), new Address(deployer),
                new Uint256(params.hypInitialSupply())));
        contracts.put(HyphaTokenClient.NAME, hyp);

        contracts.put(PaymentTokenClient.NAME, create(PaymentTokenClient.NAME, PaymentToken.BINARY, List.of(
                new Utf8String(PAYMENT_NAME), new Utf8String(PAYMENT_SYMBOL), new Uint8(PAYMENT_DECIMALS), new Address(deployer))));

        DeployedContract staking = create(StakingClient.NAME, Staking.BINARY, List.of(
                new Address(hyp.address()), new Address(admin), adminDelay, new Uint64(params.unbondingPeriodSeconds()),
                new Address(sink)));
        contracts.put(StakingClient.NAME, staking);

        DeployedContract providerRegistry = create(ProviderRegistryClient.NAME, ProviderRegistry.BINARY, List.of(
                new Address(staking.address()), new Address(admin), adminDelay, new Uint256(params.minProviderStake())));
        contracts.put(ProviderRegistryClient.NAME, providerRegistry);

        contracts.put(PaymentChannelsClient.NAME, create(PaymentChannelsClient.NAME, PaymentChannels.BINARY, List.of(
                new Uint64(channelChallengeSeconds(chainId)))));

        contracts.put(InferenceCoordinatorClient.NAME, create(InferenceCoordinatorClient.NAME, InferenceCoordinator.BINARY,
                List.of(new Address(contracts.get(ProviderRegistryClient.NAME).address()),
                        new Address(contracts.get(PaymentTokenClient.NAME).address()),
                        new Uint64(coordinatorChallengeSeconds(chainId)))));
        contracts.put(OfferRegistryClient.NAME, create(OfferRegistryClient.NAME, OfferRegistry.BINARY, List.of(
                new Address(providerRegistry.address()), new Uint64(offerMaxAgeSeconds(chainId)))));
        contracts.put(ComputeMarketClient.NAME, create(ComputeMarketClient.NAME, ComputeMarket.BINARY, List.of(
                new Address(providerRegistry.address()), new Address(contracts.get(PaymentTokenClient.NAME).address()))));
        contracts.put(TrainingVerifierClient.NAME, create(TrainingVerifierClient.NAME, TrainingVerifier.BINARY,
                verifierTerms(contracts.get(ComputeMarketClient.NAME).address(), staking.address(), chainId)));
        contracts.put(OpmlVerifierClient.NAME, create(OpmlVerifierClient.NAME, OpmlVerifier.BINARY,
                opmlTerms(staking.address(), providerRegistry.address(), chainId)));
        deployProvenance(contracts, staking);
        deployAgents(contracts);
        deploySubnets(contracts, hyp, staking, admin, adminDelay, chainId);
        deployZk(contracts);
        // Appended after the last contract (and the subnets' bind): the earlier contracts keep their addresses.
        contracts.put(AppRewardsClient.NAME, create(AppRewardsClient.NAME, AppRewards.BINARY, List.of(
                new Address(contracts.get(PaymentTokenClient.NAME).address()), new Address(admin),
                new Uint64(appEpochBlocks(chainId)))));
        deployAppAuction(contracts, admin, adminDelay, chainId);

        Deployment deployment = new Deployment(chainId, deployer, contracts, params.unbondingPeriodSeconds(),
                params.minProviderStake().toString(), governor.toLowerCase(java.util.Locale.ROOT),
                params.governanceDelaySeconds());
        wireVerifier(deployment, governor.equalsIgnoreCase(deployer));
        wireEmissions(deployment, governor.equalsIgnoreCase(deployer));
        return deployment;
    }

    /**
     * TrainingVerifier's terms: a 100 HYP bond, 500 HYP slashed from a loser, 1000 HYP of VALIDATOR stake to challenge or
     * referee; on public chains a day to challenge a commitment, an hour per round, two hours to vote, a quorum of 3; on
     * the local chain ten minutes, a minute, a minute and a quorum of 1, so a whole dispute fits a test.
     */
    @SuppressWarnings("rawtypes")
    static List<Type> verifierTerms(String market, String staking, long chainId) {
        boolean local = chainId == DeployParams.LOCAL_CHAIN_ID;
        return List.of(new Address(market), new Address(staking), new Uint256(hyp(100)), new Uint256(hyp(500)),
                new Uint256(hyp(1_000)), new Uint64(local ? 600 : DeployParams.ONE_DAY), new Uint64(local ? 60 : 3600),
                new Uint64(local ? 60 : 7200), new Uint32(local ? 1 : 3));
    }

    /**
     * OpmlVerifier's terms: a 100 HYP bond, 500 HYP slashed from a loser, 1000 HYP of VALIDATOR stake to challenge, an
     * hour per round on public chains and a minute on the local chain.
     */
    @SuppressWarnings("rawtypes")
    static List<Type> opmlTerms(String staking, String registry, long chainId) {
        boolean local = chainId == DeployParams.LOCAL_CHAIN_ID;
        return List.of(new Address(staking), new Address(registry), new Uint256(hyp(100)), new Uint256(hyp(500)),
                new Uint256(hyp(1_000)), new Uint64(local ? 60 : 3600));
    }

    /**
     * The market binds the verifier (only its deployer can, once), and the verifier needs Staking's FAULT_PROOF_ROLE to
     * slash a loser: a governance action like any other role grant, so it is scheduled on the timelock (when the
     * deployer is the governor; otherwise the governor must schedule it) and executed by {@link #completeVerifierGrant}
     * once its delay has passed. Until then a dispute can be played but not resolved.
     */
    private void wireVerifier(Deployment deployment, boolean deployerGoverns) {
        HyphaContracts c = HyphaContracts.connect(deployment, sender);
        c.compute().bindVerifier(c.verifier().address());
        progress.accept("bound TrainingVerifier to ComputeMarket");
        GovernanceClient.GovernanceAction grant = verifierGrant(c);
        GovernanceClient.GovernanceAction opmlGrant = opmlGrant(c);
        if (deployerGoverns) {
            c.governance().schedule(grant);
            c.governance().schedule(opmlGrant);
            progress.accept("scheduled FAULT_PROOF_ROLE on Staking for TrainingVerifier and OpmlVerifier: executable after"
                    + " the " + deployment.governanceDelaySeconds() + " s governance delay");
        } else {
            progress.accept("the governor must schedule FAULT_PROOF_ROLE on Staking for TrainingVerifier "
                    + c.verifier().address() + " and OpmlVerifier " + c.opml().address());
        }
    }

    private static GovernanceClient.GovernanceAction opmlGrant(HyphaContracts c) {
        return c.governance().grantRoleAction(StakingClient.NAME, StakingClient.FAULT_PROOF_ROLE,
                c.opml().address().lowercaseHex());
    }

    /**
     * Executes the scheduled FAULT_PROOF_ROLE grant for OpmlVerifier once its delay has passed (anyone may).
     *
     * @return whether OpmlVerifier now holds the role
     */
    public boolean completeOpmlGrant(Deployment deployment) {
        HyphaContracts c = HyphaContracts.connect(deployment, sender);
        String opml = c.opml().address().lowercaseHex();
        if (c.staking().hasRole(StakingClient.FAULT_PROOF_ROLE, opml)) {
            return true;
        }
        GovernanceClient.GovernanceAction grant = opmlGrant(c);
        if (!c.governance().isReady(grant)) {
            return false;
        }
        c.governance().execute(grant);
        progress.accept("granted FAULT_PROOF_ROLE on Staking to OpmlVerifier " + opml);
        return true;
    }

    private static GovernanceClient.GovernanceAction verifierGrant(HyphaContracts c) {
        return c.governance().grantRoleAction(StakingClient.NAME, StakingClient.FAULT_PROOF_ROLE,
                c.verifier().address().lowercaseHex());
    }

    /**
     * Executes the scheduled FAULT_PROOF_ROLE grant for TrainingVerifier once its delay has passed (anyone may).
     *
     * @return whether the verifier now holds the role (false: not scheduled, or its delay has not passed yet)
     */
    public boolean completeVerifierGrant(Deployment deployment) {
        HyphaContracts c = HyphaContracts.connect(deployment, sender);
        String verifier = c.verifier().address().lowercaseHex();
        if (c.staking().hasRole(StakingClient.FAULT_PROOF_ROLE, verifier)) {
            return true;
        }
        GovernanceClient.GovernanceAction grant = verifierGrant(c);
        if (!c.governance().isReady(grant)) {
            return false;
        }
        c.governance().execute(grant);
        progress.accept("granted FAULT_PROOF_ROLE on Staking to TrainingVerifier " + verifier);
        return true;
    }

    /**
     * The provenance contracts (no admin, no parameters): the asset registry, the royalty splitter over it, access grants
     * paying into the splitter, and data pools whose staked validators are read from Staking.
     */
    private void deployProvenance(Map<String, DeployedContract> contracts, DeployedContract staking) {
        DeployedContract assets = create("AssetRegistry", AssetRegistry.BINARY, List.of());
        contracts.put("AssetRegistry", assets);
        DeployedContract splitter = create("RoyaltySplitter", RoyaltySplitter.BINARY, List.of(new Address(assets.address())));
        contracts.put("RoyaltySplitter", splitter);
        contracts.put("AccessGrants", create("AccessGrants", AccessGrants.BINARY, List.of(
                new Address(assets.address()), new Address(splitter.address()))));
        contracts.put("DataPools", create("DataPools", DataPools.BINARY, List.of(new Address(staking.address()))));
    }

    /**
     * The agent contracts (no admin, no owner): the ERC-8004 identity and validation registries, PaymentReceipts over
     * the payment token (x402 exact payments settled with a receipt), ServiceEscrow, the reputation registry that
     * accepts those payments (and channels) as proof, and the ERC-4337 EntryPoint v0.8 with the AgentAccountFactory
     * bound to it. Decision: the EntryPoint is deployed with the rest on every chain, so a deployment is complete on
     * its own; on a public chain bundlers serve the canonical EntryPoint, which a later change can record instead.
     */
    private void deployAgents(Map<String, DeployedContract> contracts) {
        DeployedContract identity = create(IdentityRegistryClient.NAME, IdentityRegistry.BINARY, List.of());
        contracts.put(IdentityRegistryClient.NAME, identity);
        contracts.put("ValidationRegistry", create("ValidationRegistry", ValidationRegistry.BINARY,
                List.of(new Address(identity.address()))));
        String token = contracts.get(PaymentTokenClient.NAME).address();
        DeployedContract receipts = create(PaymentReceiptsClient.NAME, PaymentReceipts.BINARY, List.of(new Address(token)));
        contracts.put(PaymentReceiptsClient.NAME, receipts);
        DeployedContract escrow = create(ServiceEscrowClient.NAME, ServiceEscrow.BINARY, List.of());
        contracts.put(ServiceEscrowClient.NAME, escrow);
        contracts.put(ReputationRegistryClient.NAME, create(ReputationRegistryClient.NAME, ReputationRegistry.BINARY, List.of(
                new Address(identity.address()), new Address(token),
                new Address(contracts.get(PaymentChannelsClient.NAME).address()), new Address(receipts.address()),
                new Address(escrow.address()))));
        DeployedContract entryPoint = create("EntryPoint", EntryPoint.BINARY, List.of());
        contracts.put("EntryPoint", entryPoint);
        contracts.put(AgentAccountsClient.NAME, create(AgentAccountsClient.NAME, AgentAccountFactory.BINARY,
                List.of(new Address(entryPoint.address()))));
    }

    /**
     * The verifiable-inference contracts, deployed last so every earlier address stays where it was: MlpProofVerifier
     * (hypha-zk proofs of int8 MLP classifications, no state, no admin) and ProvenPredictionFeed over it. Feeds inside it
     * are created by anyone (`hypha up` creates the shipped Fashion-MNIST model's feed).
     */
    private void deployZk(Map<String, DeployedContract> contracts) {
        DeployedContract verifier = create(ProvenFeedClient.VERIFIER, MlpProofVerifier.BINARY, List.of());
        contracts.put(ProvenFeedClient.VERIFIER, verifier);
        contracts.put(ProvenFeedClient.NAME, create(ProvenFeedClient.NAME, ProvenPredictionFeed.BINARY,
                List.of(new Address(verifier.address()))));
    }

    /**
     * The subnet contracts: SubnetRegistry (100 HYP locked per subnet, validator stake read from Staking),
     * SubnetEmissions (1 HYP per block, halving every 10,512,000 blocks: about four years of 12-second blocks, 21M HYP
     * in all) and SubnetEpochs (a 100 HYP posting bond; 7,200 blocks to challenge on public chains, 10 on the local
     * chain), bound to each other once by the deployer.
     */
    private void deploySubnets(Map<String, DeployedContract> contracts, DeployedContract hyp, DeployedContract staking,
            String admin, Uint48 adminDelay, long chainId) {
        DeployedContract registry = create(SubnetsClient.REGISTRY, SubnetRegistry.BINARY, List.of(
                new Address(hyp.address()), new Address(staking.address()), new Uint256(hyp(100))));
        contracts.put(SubnetsClient.REGISTRY, registry);
        DeployedContract emissions = create(SubnetsClient.EMISSIONS, SubnetEmissions.BINARY, List.of(
                new Address(hyp.address()), new Address(registry.address()), new Uint256(hyp(1)),
                new Uint64(10_512_000L), new Address(admin), adminDelay, new Uint16(EmissionAuctionClient.APP_SHARE_BPS)));
        contracts.put(SubnetsClient.EMISSIONS, emissions);
        DeployedContract epochs = create(SubnetsClient.EPOCHS, SubnetEpochs.BINARY, List.of(
                new Address(registry.address()), new Address(emissions.address()), new Address(hyp.address()),
                new Uint256(hyp(100)), new Uint64(chainId == DeployParams.LOCAL_CHAIN_ID ? 10 : 7_200)));
        contracts.put(SubnetsClient.EPOCHS, epochs);
        Function bind = new Function("bind", List.<Type>of(new Address(emissions.address()),
                new Address(epochs.address())), List.of());
        sender.send(TxRequest.call(SubnetsClient.REGISTRY, "bind", registry.address(), FunctionEncoder.encode(bind)));
        progress.accept("bound SubnetEmissions and SubnetEpochs to SubnetRegistry");
    }

    /**
     * The apps' emission path, appended after AppRewards so every earlier address is unchanged: EmissionAuction
     * (governed by the timelock) sells SubnetEmissions' app share for the payment token and funds AppRewards with every
     * unit paid. Binding it as SubnetEmissions' app recipient is governance's (the timelock is SubnetEmissions' admin
     * from its constructor, so no deployer key can ever bind), scheduled with SubnetEmissions' MINTER_ROLE by
     * {@link #wireEmissions}; from the block it is executed on, {@link EmissionAuctionClient#APP_SHARE_BPS} of each
     * block's emission accrues to it. Lots start at 10 hUSD per HYP
     * and fall to 0.01 hUSD over 7,200 blocks (100 on the local chain, so a local network sees a lot run down); a lot
     * is at least 1 HYP.
     */
    private void deployAppAuction(Map<String, DeployedContract> contracts, String admin, Uint48 adminDelay,
            long chainId) {
        String emissions = contracts.get(SubnetsClient.EMISSIONS).address();
        DeployedContract auction = create(EmissionAuctionClient.NAME, EmissionAuction.BINARY, List.of(
                new Address(emissions), new Address(contracts.get(AppRewardsClient.NAME).address()), new Address(admin),
                adminDelay,
                // Params(startPrice, floorPrice, lotBlocks, minLot): a static struct encodes as its fields in order
                new Uint128(BigInteger.valueOf(10_000_000L)), new Uint128(BigInteger.valueOf(10_000L)),
                new Uint64(auctionLotBlocks(chainId)), new Uint128(hyp(1))));
        contracts.put(EmissionAuctionClient.NAME, auction);
    }

    /** Blocks an auction lot's price takes to fall to its floor: 7,200 on public chains, 100 on the local chain. */
    static long auctionLotBlocks(long chainId) {
        return chainId == DeployParams.LOCAL_CHAIN_ID ? 100 : 7_200;
    }

    /**
     * SubnetEmissions mints what miners, validators and owners claim, so it needs HyphaToken's MINTER_ROLE, and the
     * apps' share needs EmissionAuction bound as its recipient: two governance actions, scheduled on the timelock like
     * the verifier's grant and executed by {@link #completeEmissionsGrant} once the delay has passed. Until then
     * claims revert and the whole emission stays the subnets'; nothing else waits on them.
     */
    private void wireEmissions(Deployment deployment, boolean deployerGoverns) {
        HyphaContracts c = HyphaContracts.connect(deployment, sender);
        if (deployerGoverns) {
            c.governance().schedule(emissionsGrant(c));
            c.governance().schedule(appsBinding(c));
            progress.accept("scheduled MINTER_ROLE on HyphaToken for SubnetEmissions and EmissionAuction as its app "
                    + "recipient (" + EmissionAuctionClient.APP_SHARE_BPS / 100 + " % of each block's emission): "
                    + "executable after the " + deployment.governanceDelaySeconds() + " s governance delay");
        } else {
            progress.accept("the governor must schedule MINTER_ROLE on HyphaToken for SubnetEmissions "
                    + deployment.address(SubnetsClient.EMISSIONS) + " and bindApps(" + c.auction().address()
                    + ") on it");
        }
    }

    private static GovernanceClient.GovernanceAction appsBinding(HyphaContracts c) {
        return c.governance().callAction(SubnetsClient.EMISSIONS, new Function("bindApps",
                List.<Type>of(new Address(c.deployment().address(EmissionAuctionClient.NAME))), List.of()));
    }

    private static GovernanceClient.GovernanceAction emissionsGrant(HyphaContracts c) {
        return c.governance().grantRoleAction(HyphaTokenClient.NAME, SubnetsClient.MINTER_ROLE,
                c.deployment().address(SubnetsClient.EMISSIONS));
    }

    /**
     * Executes the scheduled MINTER_ROLE grant for SubnetEmissions and the binding of EmissionAuction as its app
     * recipient once their delay has passed (anyone may).
     *
     * @return whether SubnetEmissions now holds the role and mints the apps' share to EmissionAuction
     */
    public boolean completeEmissionsGrant(Deployment deployment) {
        HyphaContracts c = HyphaContracts.connect(deployment, sender);
        boolean canMint = c.subnets().emissionsCanMint();
        if (!canMint && c.governance().isReady(emissionsGrant(c))) {
            c.governance().execute(emissionsGrant(c));
            progress.accept("granted MINTER_ROLE on HyphaToken to SubnetEmissions " + deployment.address(SubnetsClient.EMISSIONS));
            canMint = true;
        }
        boolean bound = c.subnets().appRecipient().equals(c.auction().address());
        if (!bound && c.governance().isReady(appsBinding(c))) {
            c.governance().execute(appsBinding(c));
            progress.accept("bound EmissionAuction " + c.auction().address() + " as SubnetEmissions' app recipient");
            bound = true;
        }
        return canMint && bound;
    }

    /**
     * Blocks per AppRewards epoch: 7,200 (about a day of 12-second blocks) on public chains; 20 on the local chain,
     * where anvil mines a block per transaction, so a test or a local network sees epochs close.
     */
    static long appEpochBlocks(long chainId) {
        return chainId == DeployParams.LOCAL_CHAIN_ID ? 20 : 7_200;
    }

    /**
     * How long a provider has to redeem its last vouchers after a payer asks to close a channel: a day on public
     * chains (a provider offline for hours still gets paid), a minute on the local chain so closing can be tried.
     */
    static long channelChallengeSeconds(long chainId) {
        return chainId == DeployParams.LOCAL_CHAIN_ID ? 60 : DeployParams.ONE_DAY;
    }

    /**
     * How long an answer to a contract's inference request stays challengeable before its fee is paid out: a day on
     * public chains (shorter than the default 7-day unbonding period, so a disputed provider is still slashable), a
     * minute on the local chain.
     */
    static long coordinatorChallengeSeconds(long chainId) {
        return chainId == DeployParams.LOCAL_CHAIN_ID ? 60 : DeployParams.ONE_DAY;
    }

    /**
     * How long an offer stays live after its provider's last heartbeat: ten minutes on public chains (a heartbeat every
     * few minutes costs little, and a dead provider drops out of routing within ten), one minute on the local chain,
     * where transactions cost nothing, so a killed provider of {@code hypha up} or a local network drops out quickly.
     */
    static long offerMaxAgeSeconds(long chainId) {
        return chainId == DeployParams.LOCAL_CHAIN_ID ? 60 : 600;
    }

    /**
     * Refuses, before any gas is spent, what the contracts would refuse: outside the local chain (31337) the unbonding
     * period and the governance delay must each be at least a day.
     */
    static void checkForChain(DeployParams params, long chainId) {
        if (chainId == DeployParams.LOCAL_CHAIN_ID) {
            return;
        }
        if (params.unbondingPeriodSeconds() < DeployParams.ONE_DAY) {
            throw ChainErrors.input("unbonding period " + params.unbondingPeriodSeconds() + " s is too short for chain "
                    + chainId + ": at least " + DeployParams.ONE_DAY + " s (1 day) outside the local chain "
                    + DeployParams.LOCAL_CHAIN_ID);
        }
        // The governance delay is longer than the unbonding period (DeployParams checks), so it is over a day too.
    }

    /**
     * Returns the deployment recorded for this chain if its contracts still have their code;
     * otherwise (nothing recorded, an unreadable or outdated record, or a wiped chain) deploys afresh and records it.
     * Meant for devnets, whose deployments file is ours to replace.
     */
    public Deployment ensureDeployed(Deployments deployments, DeployParams params) {
        ChainClient client = sender.client();
        long chainId = client.chainId();
        Optional<Deployment> recorded;
        try {
            recorded = deployments.load(chainId);
        } catch (dev.hypha.chain.ChainException e) {
            // Ours to replace (a devnet's record): e.g. written by an older version without HyphaTimelock.
            progress.accept("recorded deployment is unusable (" + e.getMessage() + "): redeploying");
            recorded = Optional.empty();
        }
        if (recorded.isPresent()) {
            List<String> problems = Deployments.verify(recorded.get(), client);
            if (problems.isEmpty()) {
                progress.accept("contracts already deployed on chain " + chainId + " (" + deployments.file(chainId) + ")");
                completeVerifierGrant(recorded.get());
                completeOpmlGrant(recorded.get());
                completeEmissionsGrant(recorded.get());
                return recorded.get();
            }
            progress.accept("recorded deployment is stale (" + String.join("; ", problems) + "): redeploying");
        }
        Deployment fresh = deploy(params);
        deployments.save(fresh);
        progress.accept("deployment recorded in " + deployments.file(chainId));
        return fresh;
    }

    @SuppressWarnings("rawtypes")
    private DeployedContract create(String name, String binary, List<Type> constructorArgs) {
        String code = (binary.startsWith("0x") ? binary : "0x" + binary) + FunctionEncoder.encodeConstructor(constructorArgs);
        TransactionReceipt receipt = sender.send(TxRequest.deploy(name, code));
        String address = receipt.getContractAddress();
        if (address == null) {
            throw ChainErrors.chain("deploy " + name + ": receipt " + receipt.getTransactionHash() + " has no contract address");
        }
        String runtime = sender.client().code(address);
        if (runtime == null || runtime.equals("0x")) {
            throw ChainErrors.chain("deploy " + name + ": no code at " + address + " after deployment");
        }
        progress.accept("deployed " + name + " at " + address);
        return new DeployedContract(address.toLowerCase(java.util.Locale.ROOT), receipt.getBlockNumber().longValueExact(),
                receipt.getTransactionHash(), Hash.sha3(runtime));
    }

    /** Convenience: {@code whole} HYP in wei units. */
    public static BigInteger hyp(long whole) {
        return DeployParams.HYP.multiply(BigInteger.valueOf(whole));
    }
}
