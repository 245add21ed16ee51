package dev.hypha.cli;

import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.subnet.EpochActions;
import dev.hypha.node.subnet.EpochBook;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.Callable;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha subnet epoch close|post|check|challenge|finalize|claim}: the optimistic epoch flow by hand. Every result
 * is recomputed from the chain alone (frozen inputs and revealed weights from the registry's logs, previous bonds from
 * the previous epoch's recomputation) by hypha-incentives' Yuma epoch; the daemons of {@code hypha subnet validate} do
 * the same each round.
 */
final class SubnetEpochCommands {
    private SubnetEpochCommands() {}

    private static final String NOBODY = "0x0000000000000000000000000000000000000000";

    static String hyp(BigInteger wei) {
        return TokenAmount.format(wei, TokenAmount.HYP_DECIMALS) + " HYP";
    }

    private static void checkSubnet(SubnetsClient subnets, long netuid) {
        if (netuid < 0 || netuid >= subnets.subnetCount()) {
            throw HyphaException.input("no subnet " + netuid + " (there are " + subnets.subnetCount() + ")");
        }
    }

    /** The epoch an option names, or the next one to settle (the first not yet final). */
    private static long epochOr(SubnetsClient subnets, long netuid, Long epoch) {
        long e = epoch != null ? epoch : subnets.acceptedEpochs(netuid);
        if (e < 0) throw HyphaException.input("--epoch must be >= 0, got " + e);
        return e;
    }

    @Command(name = "close", description = "Close subnet NETUID's due epoch (anyone may; once per tempo).")
    static final class Close implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                checkSubnet(subnets, netuid);
                var s = subnets.subnet(netuid);
                long due = s.lastEpochBlock.longValueExact() + subnets.params(netuid).tempo();
                long now = session.chain().blockNumber();
                if (now + 1 < due) {
                    throw HyphaException.input("epoch " + s.epoch + " of subnet " + netuid + " is due at block " + due
                            + " (now " + now + ")");
                }
                SubnetsClient.ClosedEpoch c = subnets.closeEpoch(netuid);
                session.out().println("Closed epoch " + c.epoch() + " of subnet " + netuid + " at block " + c.block() + ": "
                        + c.inputs().size() + " UIDs, pool " + hyp(c.pool()) + " for miners and validators");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "post", description = {"Post the next closed epoch's result, computed from the chain (bonds "
            + "100 HYP,", "returned when it is final; a successful challenge takes it)."})
    static final class Post implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Option(names = "--wrong-uid", paramLabel = "UID", description = {"Demonstration: post one wrong incentive for "
                + "UID, so that `hypha subnet epoch challenge` (or any", "validator) takes your bond."})
        Integer wrongUid;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                checkSubnet(subnets, netuid);
                long epoch = subnets.acceptedEpochs(netuid);
                if (epoch >= subnets.subnet(netuid).epoch.longValueExact()) {
                    throw HyphaException.input("epoch " + epoch + " of subnet " + netuid + " is not closed yet: "
                            + "hypha subnet epoch close " + netuid);
                }
                SubnetEpochs.Post open = subnets.post(netuid, epoch);
                if (!open.poster.equals(NOBODY)) {
                    throw HyphaException.input("epoch " + epoch + " is already posted by " + open.poster
                            + "; check it with `hypha subnet epoch check " + netuid + "`");
                }
                long n = subnets.snapshot(netuid, epoch).n.longValueExact();
                if (wrongUid != null && (wrongUid < 0 || wrongUid >= n)) {
                    throw HyphaException.input("--wrong-uid " + wrongUid + ": epoch " + epoch + " has UIDs 0.." + (n - 1));
                }
                EpochActions actions = new EpochActions(subnets, new EpochBook(subnets, netuid));
                var leaves = actions.post(epoch, wrongUid == null ? -1 : wrongUid);
                SubnetEpochs.Post p = subnets.post(netuid, epoch);
                session.out().println("Posted epoch " + epoch + " of subnet " + netuid + ": " + leaves.size() + " UIDs, root "
                        + Numeric.toHexString(p.root) + ", bond " + hyp(subnets.postBond()) + (wrongUid == null ? ""
                        : " (UID " + wrongUid + "'s incentive is wrong on purpose)"));
                session.out().println("  Challengeable until block " + (p.postedAt.longValueExact() + subnets.challengeBlocks())
                        + "; then `hypha subnet epoch finalize " + netuid + "` returns the bond");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "check", description = "Compare an epoch's post with its recomputation from the chain.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Option(names = "--epoch", paramLabel = "E", description = "Epoch (default: the next one to settle).")
        Long epoch;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsForReading().subnets();
                checkSubnet(subnets, netuid);
                long e = epochOr(subnets, netuid, epoch);
                EpochActions actions = new EpochActions(subnets, new EpochBook(subnets, netuid));
                var check = actions.check(e);
                if (check.isEmpty()) {
                    session.out().println("Epoch " + e + " of subnet " + netuid + " has no post");
                    return ExitCodes.OK;
                }
                EpochActions.Check c = check.get();
                session.out().println("Epoch " + e + " of subnet " + netuid + " posted by " + c.poster() + " ("
                        + (c.open() ? "open to challenges" : "final") + "): " + (c.wrong()
                        ? "DIFFERS from the recomputation at UIDs " + c.differing() : "matches the recomputation"));
                List<dev.hypha.chain.subnets.SubnetLeaf> leaves = subnets.postedLeaves(netuid, e).orElseThrow();
                for (var leaf : leaves) {
                    session.out().println("  UID " + leaf.uid() + "  " + leaf.account() + "  miner " + hyp(
                            BigInteger.valueOf(leaf.minerEmission()).multiply(BigInteger.TEN.pow(9))) + "  validator "
                            + hyp(BigInteger.valueOf(leaf.validatorEmission()).multiply(BigInteger.TEN.pow(9))));
                }
                return c.wrong() ? ExitCodes.INPUT : ExitCodes.OK;
            }
        }
    }

    @Command(name = "challenge", description = {"Challenge a wrong open post: recompute a differing UID on chain; a "
            + "wrong post", "loses its bond to you. A correct post cannot be challenged (nothing is sent)."})
    static final class Challenge implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Option(names = "--epoch", paramLabel = "E", description = "Epoch (default: the next one to settle).")
        Long epoch;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                checkSubnet(subnets, netuid);
                long e = epochOr(subnets, netuid, epoch);
                EpochActions actions = new EpochActions(subnets, new EpochBook(subnets, netuid));
                var check = actions.check(e).orElseThrow(() -> HyphaException.input("epoch " + e + " of subnet " + netuid
                        + " has no post"));
                if (!check.open()) throw HyphaException.input("epoch " + e + " is final: its challenge window has passed");
                if (!check.wrong()) throw HyphaException.input("epoch " + e + "'s post matches the recomputation: nothing to challenge");
                EpochActions.Won won = actions.challenge(e).orElseThrow(() -> HyphaException.input("epoch " + e
                        + " differs at UIDs " + check.differing() + " only in what the contract does not check (dividends)"));
                session.out().println("Challenged epoch " + e + " of subnet " + netuid + " at UID " + won.uid()
                        + ": wrong " + won.faultName() + "; the post is void and its bond of " + hyp(won.bond())
                        + " is yours (" + won.gasUsed() + " gas)");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "finalize", description = "Make an unchallenged post final once its window has passed (anyone).")
    static final class Finalize implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                checkSubnet(subnets, netuid);
                long e = subnets.acceptedEpochs(netuid);
                SubnetEpochs.Post p = subnets.post(netuid, e);
                if (p.poster.equals(NOBODY)) throw HyphaException.input("epoch " + e + " of subnet " + netuid + " has no post");
                long opens = p.postedAt.longValueExact() + subnets.challengeBlocks() + 1;
                long now = session.chain().blockNumber();
                if (now + 1 < opens) throw HyphaException.input("epoch " + e + " can be finalized from block " + opens + " (now " + now + ")");
                subnets.finalizeEpoch(netuid, e);
                session.out().println("Epoch " + e + " of subnet " + netuid + " is final; " + hyp(subnets.postBond())
                        + " returned to " + p.poster + "; UIDs claim with `hypha subnet epoch claim " + netuid + "`");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "claim", description = "Claim your emission of every final epoch of subnet NETUID (minted to you).")
    static final class Claim implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                checkSubnet(subnets, netuid);
                if (!subnets.emissionsCanMint()) {
                    throw HyphaException.input("SubnetEmissions cannot mint yet: its MINTER_ROLE waits for the governance delay");
                }
                EpochActions actions = new EpochActions(subnets, new EpochBook(subnets, netuid));
                var claims = actions.claimFinal(session.account().lowercaseHex(), 0).claimed();
                BigInteger total = BigInteger.ZERO;
                for (EpochActions.Claimed c : claims) {
                    total = total.add(c.wei());
                    session.out().println("Claimed " + hyp(c.wei()) + " for UID " + c.uid() + " of epoch " + c.epoch());
                }
                session.out().println(claims.isEmpty() ? "Nothing to claim on subnet " + netuid
                        : "Claimed " + hyp(total) + " in all from subnet " + netuid);
            }
            return ExitCodes.OK;
        }
    }
}
