package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.node.verify.opml.IntLmModels;
import dev.hypha.node.verify.opml.OpmlWatch;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha verifier opml}: runs the {@link OpmlWatch} as this account (a VALIDATOR staker) until Ctrl-C: every
 * verifiable answer a gateway bought (the opML commitments stored with its receipts) is replayed, and a wrong one is
 * challenged on OpmlVerifier and played down to one operation. Its cursor is {@code <home>/verifier/opml-CHAINID.txt}.
 */
@Command(name = "opml", description = {"Replay the verifiable (IntLm) answers a gateway bought and challenge wrong ones on "
        + "OpmlVerifier, bisecting to one operation, until Ctrl-C.",
    "The account needs OpmlVerifier's minimum VALIDATOR stake and HYP for each challenge's bond."})
final class VerifierOpmlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", required = true,
            description = "A verifiable model to replay answers of (repeatable): intlm-SEED, as providers serve it with --opml.")
    List<String> models = new ArrayList<>();

    @Option(names = "--answers", paramLabel = "HOME",
            description = "The Hypha home of the gateway whose bought answers to check (default: this home).")
    Path answers;

    @Option(names = "--dev-account", paramLabel = "N",
            description = "Local chain only: run as anvil's dev account N, staking OpmlVerifier's VALIDATOR minimum first "
                    + "(what `hypha localnet --opml-cheater` does).")
    Integer devAccount;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between polls (default ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ChallengerDaemon.checkInterval(intervalSeconds);
        List<IntLm> replays = new ArrayList<>();
        for (String m : models) {
            replays.add(IntLmModels.named(m).orElseThrow(() -> HyphaException.input("--model " + m + " is not a verifiable "
                    + "model: expected " + IntLmModels.PREFIX + "SEED, e.g. " + IntLmModels.PREFIX + "11")));
        }
        try (Session session = Session.of(spec)) {
            if (!session.deployment().contracts().containsKey(OpmlVerifierClient.NAME)) {
                throw HyphaException.input("this deployment has no OpmlVerifier; redeploy with `hypha deploy`");
            }
            Credentials key = devAccount == null ? session.credentials()
                    : ProviderStartCommand.devKey(devAccount, session.deployment().chainId());
            Address self = Address.parse(key.getAddress());
            HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
            OpmlVerifierClient opml = contracts.opml();
            BigInteger staked = ChallengerDaemon.ensureStake(contracts, self, opml.minChallengerStake(), devAccount != null,
                    "OpmlVerifier", "challenge");
            PrintWriter out = session.out();
            Consumer<String> log = SubnetDaemonCommands.printer(out);
            Path home = answers != null ? answers : session.home();
            Path cursor = session.home().resolve("verifier").resolve("opml-" + session.deployment().chainId() + ".txt");
            OpmlWatch watch = new OpmlWatch(opml, self, replays, OpmlWatch.gatewayFiles(home),
                    () -> session.chain().latestBlock().getTimestamp().longValueExact(), log, cursor);
            out.println("Hypha opML challenger " + self.toChecksumString() + " on OpmlVerifier " + opml.address().toChecksumString());
            out.println("  Replaying " + String.join(", ", models) + " answers bought by the gateway of " + home
                    + "; bond " + StakeCommands.hyp(opml.challengeBond()) + " per challenge; stake " + StakeCommands.hyp(staked));
            Deployer grant = new Deployer(session.sender(key), log);
            try {
                ChallengerDaemon.pollUntilStopped(session, intervalSeconds,
                        () -> grant.completeOpmlGrant(session.deployment()), watch::poll, () -> {
                            OpmlWatch.Stats s = watch.stats();
                            out.println("Checked " + s.checked() + " answer(s): " + s.honest() + " honest, " + s.challenged()
                                    + " challenged, " + s.won() + " won, " + s.lost() + " lost.");
                        });
            } finally {
                session.environment().runUntil().finished();
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        }
    }
}
