package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the challenging daemons ({@code hypha verifier start}, {@code hypha verifier opml}) share: the VALIDATOR stake
 * check before starting, and the poll loop that first completes the contract's slashing grant, then polls every
 * interval until Ctrl-C, logging a failed poll instead of dying of it.
 */
final class ChallengerDaemon {
    private ChallengerDaemon() {
    }

    /** Checks a daemon's {@code --interval}. */
    static void checkInterval(int seconds) {
        if (seconds < 1 || seconds > 3600) {
            throw HyphaException.input("--interval must be 1..3600 seconds, got " + seconds);
        }
    }

    /**
     * The VALIDATOR stake of {@code self}, at least {@code min}: a dev account stakes what is missing; any other account
     * is refused with the command that stakes it.
     */
    static BigInteger ensureStake(HyphaContracts contracts, Address self, BigInteger min, boolean devAccount,
                                  String contract, String purpose) {
        BigInteger staked = contracts.staking().stakeOf(self.toString(), StakingClient.VALIDATOR_ROLE);
        if (devAccount && staked.compareTo(min) < 0) {
            contracts.staking().stake(StakingClient.VALIDATOR_ROLE, min.subtract(staked));
            staked = min;
        }
        if (staked.compareTo(min) < 0) {
            throw HyphaException.input(self.toChecksumString() + " has " + StakeCommands.hyp(staked) + " VALIDATOR stake; "
                    + contract + " needs " + StakeCommands.hyp(min) + " to " + purpose
                    + ": hypha stake --role validator AMOUNT");
        }
        return staked;
    }

    /**
     * Runs {@code poll} every {@code intervalSeconds} until the session's stop signal, after {@code completeGrant} has
     * once answered true (slashing needs the contract's FAULT_PROOF_ROLE, scheduled through the timelock at deployment;
     * anyone may execute it once the delay has passed, and a challenger is who needs it). Prints "Running" before and
     * "Stopping..." and then {@code summary} once the last poll has ended (or 30 s passed). The caller tells the stop
     * signal the command finished ({@code session.environment().runUntil().finished()}) once it has closed what it
     * opened: after that, a Ctrl-C'd JVM may exit at any moment.
     */
    static void pollUntilStopped(Session session, int intervalSeconds, BooleanSupplier completeGrant, Runnable poll,
                                 Runnable summary) throws InterruptedException {
        PrintWriter out = session.out();
        out.println("Running. Press Ctrl-C to stop.");
        out.flush();
        boolean[] granted = {false};
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        try {
            loop.scheduleWithFixedDelay(() -> {
                try {
                    if (!granted[0]) {
                        granted[0] = completeGrant.getAsBoolean();
                    }
                    poll.run();
                } catch (RuntimeException e) {
                    SubnetDaemonCommands.printer(out).accept("poll failed: " + e.getMessage());
                }
            }, 0, intervalSeconds, TimeUnit.SECONDS);
            stop.await();
            out.println("Stopping...");
            loop.shutdownNow();
            loop.awaitTermination(30, TimeUnit.SECONDS);
            summary.run();
        } finally {
            loop.shutdownNow();
        }
    }
}
