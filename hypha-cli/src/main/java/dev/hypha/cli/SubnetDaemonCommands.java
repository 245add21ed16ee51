package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.devnet.LocalNetworkSettings;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.subnet.AnswerQualityScorer;
import dev.hypha.node.subnet.MinerScorer;
import dev.hypha.node.subnet.OfferPriceScorer;
import dev.hypha.node.subnet.PaidAnswerProbe;
import dev.hypha.node.subnet.SubnetMiner;
import dev.hypha.node.subnet.SubnetValidator;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha subnet validate NETUID} and {@code hypha subnet mine NETUID}: the subnet daemons, polling the chain until
 * Ctrl-C ({@link SubnetValidator}, {@link SubnetMiner}).
 */
final class SubnetDaemonCommands {
    private SubnetDaemonCommands() {}

    /** Stake a dev-account validator takes when it has less (local chain only). */
    static final BigInteger DEV_VALIDATOR_STAKE = Deployer.hyp(1_000);

    /** Options both daemons take. */
    static final class Common {
        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Option(names = "--dev-account", paramLabel = "N",
                description = "Local chain only: run as anvil's dev account N (what `hypha localnet --subnet` does).")
        Integer devAccount;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
                description = "Seconds between rounds (default ${DEFAULT-VALUE}).")
        int intervalSeconds;

        @Option(names = "--mine-blocks", description = {"Local chain only: mine an empty block each round, so epochs "
                + "advance on an idle anvil", "(anvil makes blocks only for transactions)."})
        boolean mineBlocks;

        void check() {
            if (intervalSeconds < 1 || intervalSeconds > 3600) {
                throw HyphaException.input("--interval must be 1..3600 seconds, got " + intervalSeconds);
            }
        }

        Credentials key(Session session) {
            return devAccount == null ? session.credentials()
                    : ProviderStartCommand.devKey(devAccount, session.deployment().chainId());
        }

        void checkMining(Session session) {
            if (mineBlocks && session.deployment().chainId() != LocalNetworkSettings.CHAIN_ID) {
                throw HyphaException.input("--mine-blocks is for the local chain " + LocalNetworkSettings.CHAIN_ID + " only");
            }
        }

        void checkSubnet(SubnetsClient subnets) {
            if (netuid < 0 || netuid >= subnets.subnetCount()) {
                throw HyphaException.input("no subnet " + netuid + " (there are " + subnets.subnetCount() + ")");
            }
        }
    }

    /** Runs {@code round} every interval until Ctrl-C; a failed round is reported and the next one tries again. */
    static void loop(Session session, Common common, PrintWriter out, Runnable round) throws InterruptedException {
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        ChainClient chain = session.chain();
        try {
            out.println("Running. Press Ctrl-C to stop.");
            out.flush();
            loop.scheduleWithFixedDelay(() -> {
                try {
                    round.run();
                    if (common.mineBlocks) chain.request("evm_mine");
                } catch (RuntimeException e) {
                    out.println("round failed: " + e.getMessage());
                    out.flush();
                }
            }, 0, common.intervalSeconds, TimeUnit.SECONDS);
            stop.await();
            out.println("Stopping...");
            loop.shutdownNow();
            loop.awaitTermination(30, TimeUnit.SECONDS);
        } finally {
            loop.shutdownNow();
            stop.finished();
        }
    }

    static Consumer<String> printer(PrintWriter out) {
        return line -> {
            out.println(line);
            out.flush();
        };
    }

    @Command(name = "validate", description = {"Validate subnet NETUID until Ctrl-C: score the miners (inference "
            + "providers: live offers, cheaper is better;", "with --score-answers by paid answers replayed here), commit and reveal weights each tempo, close due epochs, "
            + "post results computed from the chain, challenge", "wrong posts of others, finalize, and claim your "
            + "emission. Needs VALIDATOR stake for a permit."})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--no-post", description = "Only watch, challenge and finalize; never post epochs.")
        boolean noPost;

        @Option(names = "--demo-wrong-post", paramLabel = "EPOCH", split = ",", description = {"Demonstration: post "
                + "these epochs once with a wrong incentive, so another validator's", "challenge takes your bond "
                + "(then they are posted honestly)."})
        List<Long> wrongEpochs = List.of();

        @Option(names = "--demo-wrong-dividends", paramLabel = "EPOCH", split = ",", description = {"Demonstration: "
                + "post these epochs once with dividends moved between validators", "(every sum consistent), so "
                + "another validator's dividends challenge takes your bond."})
        List<Long> wrongDividendsEpochs = List.of();

        @Option(names = "--score-answers", paramLabel = "MODEL", description = {"Score miners by paid answers instead "
                + "of offers alone: each tempo commit a seed, buy", "--prompts answers from each miner's provider "
                + "through payment channels, replay them on your own", "deterministic engine (MODEL must be pulled "
                + "here), reveal the seed; a wrong answer scores 0."})
        String scoreAnswers;

        @Option(names = "--prompts", paramLabel = "N", defaultValue = "2", description = "Requests per miner and "
                + "round with --score-answers (default: ${DEFAULT-VALUE}).")
        int prompts;

        @Option(names = "--answer-tokens", paramLabel = "N", defaultValue = "16", description = "Tokens per "
                + "evaluation answer with --score-answers (default: ${DEFAULT-VALUE}).")
        int answerTokens;

        /** Wrong posts only cost their poster a bond, but a demonstration has no business on a real network. */
        private void checkDemonstrationsOnLocalChain(long chainId) {
            if ((!wrongEpochs.isEmpty() || !wrongDividendsEpochs.isEmpty())
                    && chainId != dev.hypha.node.devnet.LocalNetworkSettings.CHAIN_ID) {
                throw HyphaException.input("--demo-wrong-post and --demo-wrong-dividends are demonstrations for the "
                        + "local dev chain " + dev.hypha.node.devnet.LocalNetworkSettings.CHAIN_ID
                        + " only, and this is chain " + chainId);
            }
        }

        @Override
        public Integer call() throws InterruptedException {
            common.check();
            AnswerQualityScorer.Settings answers = scoreAnswers == null ? null
                    : new AnswerQualityScorer.Settings(scoreAnswers, prompts, answerTokens);
            List<AutoCloseable> closing = new java.util.ArrayList<>();
            try (Session session = Session.of(spec)) {
                checkDemonstrationsOnLocalChain(session.chain().chainId());
                common.checkMining(session);
                Credentials key = common.key(session);
                HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
                SubnetsClient subnets = contracts.subnets();
                common.checkSubnet(subnets);
                String self = key.getAddress();
                BigInteger staked = contracts.staking().stakeOf(self, StakingClient.VALIDATOR_ROLE);
                if (common.devAccount != null && staked.compareTo(DEV_VALIDATOR_STAKE) < 0) {
                    contracts.staking().stake(StakingClient.VALIDATOR_ROLE, DEV_VALIDATOR_STAKE.subtract(staked));
                    staked = DEV_VALIDATOR_STAKE;
                }
                PrintWriter out = session.out();
                ChainClient chain = session.chain();
                ChainOffers offers = new ChainOffers(contracts.offers(), contracts.registry());
                java.util.function.Supplier<Instant> chainNow =
                        () -> Instant.ofEpochSecond(chain.latestBlock().getTimestamp().longValueExact());
                Path pending = session.home().resolve("subnets").resolve(session.deployment().chainId() + "-" + common.netuid
                        + "-" + self.toLowerCase(java.util.Locale.ROOT) + ".validator-pending");
                MinerScorer scorer = new OfferPriceScorer(offers, chainNow);
                if (answers != null) {
                    // the reference engine replays every answer in deterministic mode
                    LocalBackend reference = new LocalBackend(new ModelStore(session.home(), Clock.systemUTC()),
                            LocalBackend.Settings.defaults().withEngine(Model.Options.defaults().withDeterministic(true)));
                    closing.add(reference);
                    PaidAnswerProbe probe = PaidAnswerProbe.open(session.home(), contracts,
                            session.sender(key)::signTypedData, Clock.systemUTC());
                    closing.add(probe);
                    scorer = new AnswerQualityScorer(subnets, common.netuid, self, offers, chainNow, probe, reference,
                            answers, Path.of(pending + ".seed"), System::nanoTime, printer(out));
                }
                SubnetValidator validator = new SubnetValidator(subnets, chain, common.netuid, self, scorer, pending,
                        Set.copyOf(wrongEpochs), Set.copyOf(wrongDividendsEpochs), !noPost, printer(out));
                Deployer grant = new Deployer(session.sender(key), printer(out));
                int uid = validator.ensureRegistered();
                out.println("Hypha validator " + self + " on subnet " + common.netuid + " as UID " + uid + " (VALIDATOR stake "
                        + SubnetEpochCommands.hyp(staked) + ")");
                boolean[] minting = {false};
                loop(session, common, out, () -> {
                    // claims need SubnetEmissions' MINTER_ROLE, scheduled at deployment: anyone executes it when ready
                    if (!minting[0]) minting[0] = grant.completeEmissionsGrant(session.deployment());
                    validator.poll();
                });
                SubnetValidator.Stats s = validator.stats();
                out.println("Committed " + s.commits() + ", revealed " + s.reveals() + " weight rows; closed " + s.closes()
                        + ", posted " + s.posts() + ", finalized " + s.finalized() + " epochs; won " + s.challengesWon()
                        + " challenge(s); claimed " + SubnetEpochCommands.hyp(s.claimedWei()));
                out.println("Stopped.");
                out.flush();
            } finally {
                for (AutoCloseable c : closing.reversed()) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        System.err.println("closing " + c + ": " + e.getMessage());
                    }
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "mine", description = {"Mine on subnet NETUID until Ctrl-C: hold a UID (registering by burn) and "
            + "claim your emission", "of every final epoch. On the inference subnet the work is serving: run `hypha "
            + "provider start` as the same account."})
    static final class Mine implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Override
        public Integer call() throws InterruptedException {
            common.check();
            try (Session session = Session.of(spec)) {
                common.checkMining(session);
                Credentials key = common.key(session);
                HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
                SubnetsClient subnets = contracts.subnets();
                common.checkSubnet(subnets);
                PrintWriter out = session.out();
                SubnetMiner miner = new SubnetMiner(subnets, common.netuid, key.getAddress(), printer(out));
                int uid = miner.ensureRegistered();
                out.println("Hypha miner " + key.getAddress() + " on subnet " + common.netuid + " as UID " + uid);
                loop(session, common, out, miner::poll);
                out.println("Claimed " + SubnetEpochCommands.hyp(miner.claimedWei()) + " in all");
                out.println("Stopped.");
                out.flush();
            }
            return ExitCodes.OK;
        }
    }
}
