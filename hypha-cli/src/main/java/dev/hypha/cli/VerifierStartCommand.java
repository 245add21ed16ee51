package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.verify.AuditSampling;
import dev.hypha.node.verify.VerifierCursor;
import dev.hypha.node.verify.VerifierDaemon;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha verifier start}: runs the {@link VerifierDaemon} as this account (a VALIDATOR staker) until Ctrl-C.
 * The sampling secret lives in {@code <home>/verifier/secret} (made on first start, owner-only), the cursor in
 * {@code <home>/verifier/state-CHAINID.json} (saved after every poll, so a restart resumes its audits and disputes).
 */
@Command(name = "start", description = {"Watch ComputeMarket leases, replay the segments sampled at --rate, challenge a "
        + "wrong state root and play the dispute, and referee other disputes, until Ctrl-C.",
    "The account needs TrainingVerifier's minimum VALIDATOR stake (hypha stake --role validator AMOUNT) and HYP for "
        + "challenge bonds."})
final class VerifierStartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rate", paramLabel = "PER_MILLE", defaultValue = "250",
            description = "Share of committed segments replayed, in thousandths: 0 referees only, 1000 replays every "
                    + "segment (default ${DEFAULT-VALUE}: each wrong segment is caught with probability 25 % per verifier).")
    int rate;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Threads for re-execution (any count gives the same bits; default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--dev-account", paramLabel = "N",
            description = "Local chain only: run as anvil's dev account N, staking its VALIDATOR minimum first "
                    + "(what `hypha localnet --verifiers` does).")
    Integer devAccount;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between looks at the chain (default ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ChallengerDaemon.checkInterval(intervalSeconds);
        if (threads < 1 || threads > 256) {
            throw HyphaException.input("--threads must be 1..256, got " + threads);
        }
        try (Session session = Session.of(spec)) {
            if (!session.deployment().contracts().containsKey(TrainingVerifierClient.NAME)) {
                throw HyphaException.input("this deployment has no TrainingVerifier; redeploy with `hypha deploy`");
            }
            AuditSampling sampling = AuditSampling.load(session.home().resolve("verifier").resolve("secret"), rate);
            Credentials key = devAccount == null ? session.credentials()
                    : ProviderStartCommand.devKey(devAccount, session.deployment().chainId());
            Address self = Address.parse(key.getAddress());
            HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
            BigInteger staked = ChallengerDaemon.ensureStake(contracts, self, contracts.verifier().minVerifierStake(),
                    devAccount != null, "TrainingVerifier", "challenge or referee");
            PrintWriter out = session.out();
            Consumer<String> log = SubnetDaemonCommands.printer(out);
            // Per chain: a home that follows two local chains in turn must not resume one's cursor on the other.
            Path stateFile = session.home().resolve("verifier").resolve("state-" + session.deployment().chainId() + ".json");
            boolean resuming = Files.exists(stateFile);
            try (VerifierDaemon daemon = new VerifierDaemon(contracts.compute(), contracts.verifier(), contracts.registry(), self,
                    sampling, new ContentStore(session.home()), HttpClient.newHttpClient(), threads,
                    () -> session.chain().latestBlock().getTimestamp().longValueExact(), log, stateFile)) {
                out.println("Hypha verifier " + self.toChecksumString() + " on TrainingVerifier "
                        + contracts.verifier().address().toChecksumString());
                out.println("  Audit rate: " + rate + "/1000 of committed segments" + (rate == 0 ? " (referee only)" : "")
                        + "; bond " + StakeCommands.hyp(contracts.verifier().challengeBond()) + " per challenge; stake "
                        + StakeCommands.hyp(staked));
                if (resuming) {
                    VerifierCursor c = daemon.cursor();
                    out.println("  Resuming from " + stateFile + ": next order " + c.nextOrder() + ", " + c.watched().size()
                            + " order(s) followed, " + c.disputes().size() + " dispute(s) open");
                }
                // a fresh local chain's governance delay for the slashing grant: 120 s
                Deployer grant = new Deployer(session.sender(key), log);
                ChallengerDaemon.pollUntilStopped(session, intervalSeconds,
                        () -> grant.completeVerifierGrant(session.deployment()), daemon::poll, () -> {
                            VerifierDaemon.Stats s = daemon.stats();
                            out.println(String.format(Locale.ROOT, "Saw %d commitment(s), audited %d segment(s): replayed "
                                    + "%d of %d committed steps (%.1f %%), %d challenge(s), %d vote(s).",
                                    s.commitmentsSeen(), s.segmentsAudited(), s.stepsReplayed(), s.stepsCommitted(),
                                    s.stepsCommitted() == 0 ? 0.0 : 100.0 * s.stepsReplayed() / s.stepsCommitted(),
                                    s.challenges(), s.votes()));
                        });
            } finally {
                session.environment().runUntil().finished(); // after the daemon closed its pool and saved its cursor
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        }
    }
}
