package dev.hypha.node.subnet;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.subnets.ChallengeData;
import dev.hypha.chain.subnets.DividendsChallengeData;
import dev.hypha.chain.subnets.SubnetLeaf;
import dev.hypha.chain.subnets.YumaPost;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The epoch flow of one subnet as one account: post the honest result of a closed epoch (computed by {@link EpochBook}),
 * compare an open post with it, challenge a wrong one UID at a time, finalize, and claim the account's emission.
 * Everything is derived from chain state; nothing here trusts the poster.
 */
public final class EpochActions {
    private static final String NOBODY = "0x0000000000000000000000000000000000000000";

    private final SubnetsClient subnets;
    private final EpochBook book;
    private final long netuid;

    public EpochActions(SubnetsClient subnets, EpochBook book) {
        this.subnets = subnets;
        this.book = book;
        this.netuid = book.netuid();
    }

    public EpochBook book() {
        return book;
    }

    /** The first epoch not yet final: the only one that may be posted. */
    public long nextToPost() {
        return subnets.acceptedEpochs(netuid);
    }

    /** Closes the subnet's due epoch; empty when it is not due yet (nothing sent). */
    public Optional<SubnetsClient.ClosedEpoch> closeIfDue(long block) {
        var s = subnets.subnet(netuid);
        long due = s.lastEpochBlock.longValueExact() + subnets.params(netuid).tempo();
        if (block + 1 < due) return Optional.empty(); // the close lands in the next block
        return Optional.of(subnets.closeEpoch(netuid));
    }

    /**
     * Posts {@code epoch}'s honest leaves, or with {@code wrongUid} ≥ 0 a copy whose incentive of that UID is off by
     * one unit (a demonstration that costs the caller its bond); returns the leaves posted.
     */
    public List<SubnetLeaf> post(long epoch, int wrongUid) {
        YumaPost honest = book.compute(epoch).orElseThrow(() -> new IllegalStateException("epoch " + epoch + " of subnet "
                + netuid + " is not closed")).post();
        List<SubnetLeaf> leaves = new ArrayList<>(honest.leaves());
        if (wrongUid >= 0) {
            if (wrongUid >= leaves.size()) throw new IllegalArgumentException("UID " + wrongUid + " is not in the epoch (" + leaves.size() + " UIDs)");
            leaves.set(wrongUid, leaves.get(wrongUid).withIncentive(leaves.get(wrongUid).incentive() + 1));
        }
        subnets.post(netuid, epoch, leaves);
        return leaves;
    }

    /**
     * Posts {@code epoch} with a quarter of the dividends of the UID that earned most moved to the UID that earned next
     * most, every sum and emission consistent with the move (a demonstration: no column challenge finds it, the
     * dividends challenge takes the caller's bond). Empty, with the honest post sent, when fewer than two UIDs earned
     * dividends; else what was moved.
     */
    public Optional<String> postShiftingDividends(long epoch) {
        YumaPost honest = book.compute(epoch).orElseThrow(() -> new IllegalStateException("epoch " + epoch + " of subnet "
                + netuid + " is not closed")).post();
        List<SubnetLeaf> leaves = honest.leaves();
        int from = -1;
        int to = -1;
        for (int j = 0; j < leaves.size(); j++) {
            long d = leaves.get(j).dividends();
            if (d <= 0) continue;
            if (from < 0 || d > leaves.get(from).dividends()) {
                to = from;
                from = j;
            } else if (to < 0 || d > leaves.get(to).dividends()) {
                to = j;
            }
        }
        long amount = from < 0 ? 0 : leaves.get(from).dividends() / 4;
        if (to < 0 || amount <= 0) {
            subnets.post(netuid, epoch, leaves);
            return Optional.empty();
        }
        subnets.post(netuid, epoch, honest.withDividendsMoved(from, to, amount));
        return Optional.of("UID " + from + " -> UID " + to);
    }

    /** What an open post of an epoch looks like against the honest result. */
    public record Check(long epoch, String poster, boolean open, List<Integer> differing) {
        public boolean wrong() {
            return !differing.isEmpty();
        }
    }

    /** Compares the current post of {@code epoch} with the honest result; empty when nothing is posted. */
    public Optional<Check> check(long epoch) {
        SubnetEpochs.Post p = subnets.post(netuid, epoch);
        if (p.poster.equals(NOBODY)) return Optional.empty();
        List<SubnetLeaf> posted = subnets.postedLeaves(netuid, epoch).orElseThrow();
        List<SubnetLeaf> honest = book.compute(epoch).orElseThrow().post().leaves();
        List<Integer> differing = new ArrayList<>();
        for (int j = 0; j < Math.max(posted.size(), honest.size()); j++) {
            if (j >= posted.size() || j >= honest.size() || !posted.get(j).sameAs(honest.get(j))) differing.add(j);
        }
        return Optional.of(new Check(epoch, p.poster, !p.finalized, differing));
    }

    /** A successful challenge: the UID recomputed, the fault found, the bond won and the gas used. */
    public record Won(long epoch, int uid, int fault, BigInteger bond, long gasUsed) {
        /** SubnetEpochs.Fault's names, in its order. */
        private static final List<String> FAULTS = List.of("account", "consensus", "rank", "rank prefix", "incentive",
                "combined prefix", "miner emission", "validator emission", "bonds", "running dividends", "dividends");

        public String faultName() {
            return fault >= 0 && fault < FAULTS.size() ? FAULTS.get(fault) : "fault #" + fault;
        }
    }

    /**
     * Challenges an open wrong post of {@code epoch}: the column challenge of each differing UID in turn until the
     * contract finds a fault (a UID whose column matches, e.g. one whose dividends alone differ, reverts PostIsCorrect;
     * one past the first wrong running vector may revert BadProof; the next is tried), then the dividends challenge of
     * each differing UID. Every wrong post falls to one of them: the first wrong running vector is caught at its step,
     * and with every vector honest a wrong dividends value is caught by its own challenge. Empty when the post matches.
     */
    public Optional<Won> challenge(long epoch) {
        Optional<Check> check = check(epoch);
        if (check.isEmpty() || !check.get().open() || !check.get().wrong()) return Optional.empty();
        EpochBook.Computed honest = book.compute(epoch).orElseThrow();
        List<SubnetLeaf> posted = subnets.postedLeaves(netuid, epoch).orElseThrow();
        List<SubnetLeaf> previousLeaves = epoch == 0 ? null : subnets.postedLeaves(netuid, epoch - 1).orElseThrow();
        YumaPost previous = epoch == 0 ? null : book.compute(epoch - 1).orElseThrow().post();
        BigInteger bond = subnets.postBond();
        for (int uid : check.get().differing()) {
            if (uid >= posted.size()) continue;
            int[] previousBonds = previous == null || uid >= previous.bonds().rows() ? new int[0]
                    : YumaPost.bondsColumn(previous.bonds(), uid);
            ChallengeData data = new ChallengeData(uid, honest.closed().inputs(), honest.rows(), posted, previousLeaves,
                    previousBonds, honest.post().running(uid - 1));
            try {
                SubnetsClient.Challenged c = subnets.challenge(netuid, epoch, data);
                return Optional.of(new Won(epoch, uid, c.fault(), bond, c.gasUsed()));
            } catch (ChainException e) {
                if (!refusedAsCorrect(e)) throw e;
            }
        }
        long[] lastRunning = honest.post().running(posted.size() - 1);
        for (int uid : check.get().differing()) {
            if (uid >= posted.size()) continue;
            try {
                SubnetsClient.Challenged c = subnets.challengeDividends(netuid, epoch,
                        new DividendsChallengeData(uid, honest.closed().inputs(), posted, lastRunning));
                return Optional.of(new Won(epoch, uid, c.fault(), bond, c.gasUsed()));
            } catch (ChainException e) {
                if (!refusedAsCorrect(e)) throw e;
            }
        }
        return Optional.empty();
    }

    /** The contract found this challenge's UID correct, or could not open the post's running vector with ours. */
    private static boolean refusedAsCorrect(ChainException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("PostIsCorrect") || m.contains("running");
    }

    /** Finalizes {@code epoch}'s open post once its window has passed; whether it did. */
    public boolean finalizeIfDue(long epoch, long block) {
        SubnetEpochs.Post p = subnets.post(netuid, epoch);
        if (p.poster.equals(NOBODY) || p.finalized) return false;
        if (block + 1 < p.postedAt.longValueExact() + subnets.challengeBlocks() + 1) return false;
        subnets.finalizeEpoch(netuid, epoch);
        return true;
    }

    /** One claim paid to the account. */
    public record Claimed(long epoch, int uid, BigInteger wei) {}

    /** The claims one pass made, and the first epoch it did not cover (where the next pass starts). */
    public record Claims(List<Claimed> claimed, long nextEpoch) {}

    /**
     * Claims the account's emission of every final epoch from {@code fromEpoch} on where one of its leaves pays
     * something and it has not claimed yet. While SubnetEmissions cannot mint (governance has not granted MINTER_ROLE
     * yet) nothing is claimed and the next pass starts at {@code fromEpoch} again.
     */
    public Claims claimFinal(String account, long fromEpoch) {
        List<Claimed> out = new ArrayList<>();
        long from = Math.max(0, fromEpoch);
        if (!subnets.emissionsCanMint()) return new Claims(out, from);
        long accepted = subnets.acceptedEpochs(netuid);
        for (long e = from; e < accepted; e++) {
            List<SubnetLeaf> leaves = subnets.postedLeaves(netuid, e).orElseThrow();
            for (SubnetLeaf leaf : leaves) {
                if (!leaf.account().equalsIgnoreCase(account) || leaf.claimWei().signum() == 0) continue;
                if (subnets.claimed(netuid, e, leaf.uid())) continue;
                out.add(new Claimed(e, leaf.uid(), subnets.claim(netuid, e, leaves, leaf.uid())));
            }
        }
        return new Claims(out, accepted);
    }
}
