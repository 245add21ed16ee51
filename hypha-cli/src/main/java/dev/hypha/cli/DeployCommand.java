package dev.hypha.cli;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.DeployedContract;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha deploy --rpc URL}: deploys Hypha's contracts to any EVM chain from a keystore account and records
 * them in {@code <home>/deployments/<chainId>.json}.
 */
@Command(name = "deploy",
        description = {"Deploy Hypha's contracts to the chain at --rpc with your keystore account.",
            "Records them in <home>/deployments/<chain id>.json. A recorded deployment that still checks out is kept "
                    + "unless --redeploy is given."})
final class DeployCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--unbonding-period", paramLabel = "SECONDS",
            description = "Staking's unbonding period (default: 604800 = 7 days).")
    Long unbondingPeriod;

    @Option(names = "--min-provider-stake", paramLabel = "HYP",
            description = "ProviderRegistry's minimum provider stake in HYP (default: 1000).")
    String minProviderStake;

    @Option(names = "--governance-delay", paramLabel = "SECONDS",
            description = {"How long every governance action waits in HyphaTimelock, the admin of every contract "
                    + "(default: 691200 = 8 days). Must be longer than the unbonding period, so stakers can leave "
                    + "before a change they reject takes effect; at least a day outside the local chain 31337."})
    Long governanceDelay;

    @Option(names = "--governor", paramLabel = "ADDR",
            description = "The account that proposes governance actions to HyphaTimelock (default: your account).")
    String governor;

    @Option(names = "--redeploy", description = "Deploy new contracts even if recorded ones still exist.")
    boolean redeploy;

    @Override
    public Integer call() {
        DeployParams params = params();
        try (Session session = Session.of(spec)) {
            PrintWriter out = session.out();
            long chainId = session.chain().chainId();
            Deployments deployments = session.deployments();
            Optional<Deployment> existing = redeploy ? Optional.empty() : deployments.loadVerified(session.chain());
            if (existing.isPresent()) {
                out.println("Contracts already deployed on chain " + chainId + " (" + deployments.file(chainId)
                        + "); use --redeploy for new ones.");
                print(out, existing.get());
                return ExitCodes.OK;
            }
            Deployer deployer = new Deployer(session.sender(session.credentials()), line -> {
                out.println("  " + line);
                out.flush();
            });
            out.println("Deploying to chain " + chainId + " at " + session.chain().url() + "...");
            Deployment deployment = deployer.deploy(params);
            deployments.save(deployment);
            out.println("Recorded in " + deployments.file(chainId));
            print(out, deployment);
        }
        return ExitCodes.OK;
    }

    /** The parameters from the options, checked before anything is unlocked or sent. */
    private DeployParams params() {
        DeployParams defaults = DeployParams.defaults();
        long period = unbondingPeriod != null ? unbondingPeriod : defaults.unbondingPeriodSeconds();
        if (period < 0 || period > DeployParams.MAX_UNBONDING_SECONDS) {
            throw HyphaException.input("--unbonding-period " + period + " is out of range: expected 0 to "
                    + DeployParams.MAX_UNBONDING_SECONDS + " seconds");
        }
        BigInteger minStake = minProviderStake == null ? defaults.minProviderStake()
                : TokenAmount.hyp(minProviderStake, "--min-provider-stake").baseUnits();
        long delay = governanceDelay != null ? governanceDelay : defaults.governanceDelaySeconds();
        Optional<String> proposer = governor == null ? Optional.empty() : Optional.of(Address.parse(governor).toString());
        try {
            return new DeployParams(defaults.hypCap(), defaults.hypInitialSupply(), period, minStake, delay, proposer,
                    Optional.empty());
        } catch (IllegalArgumentException e) {
            throw HyphaException.input(e.getMessage() + " (--unbonding-period, --governance-delay)");
        }
    }

    private static void print(PrintWriter out, Deployment deployment) {
        for (Map.Entry<String, DeployedContract> entry : deployment.contracts().entrySet()) {
            out.printf("  %-17s %s%n", entry.getKey(), Address.parse(entry.getValue().address()).toChecksumString());
        }
        if (!deployment.governor().isEmpty()) {
            out.println("Governance: HyphaTimelock is the admin of every contract (PaymentChannels, OfferRegistry, InferenceCoordinator and ComputeMarket have none) and the slash sink; "
                    + Address.parse(deployment.governor()).toChecksumString() + " proposes, and every action waits "
                    + deployment.governanceDelaySeconds() + " s.");
        }
    }
}
