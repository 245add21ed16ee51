package dev.hypha.node.subnet;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.contracts.SubnetRegistry;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.subnets.WeightRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A subnet validator, one {@link #poll} at a time: holds a UID (registering by burn), scores the miners each tempo and
 * commits the weights (the salt written to disk before the commit), reveals them once the commit-reveal interval has
 * passed, closes due epochs, posts the next epoch's honest result when nobody has, compares every other post with its
 * own recomputation and challenges a wrong one, finalizes posts whose window has passed, and claims its emission.
 * Every step is idempotent against the chain, so several validators (and restarts) can run side by side.
 */
public final class SubnetValidator {
    private static final String NOBODY = "0x0000000000000000000000000000000000000000";

    /** What a validator did so far (for its log and tests). */
    public record Stats(int commits, int reveals, int closes, int posts, int challengesWon, int finalized,
            BigInteger claimedWei, long lastChallengeGas) {}

    private final SubnetsClient subnets;
    private final ChainClient chain;
    private final EpochActions actions;
    private final long netuid;
    private final String self;
    private final MinerScorer scorer;
    private final Path pendingFile;
    private final Set<Long> wrongPostEpochs;
    private final Set<Long> wrongDividendsEpochs;
    private final boolean postsEpochs;
    private final Consumer<String> log;
    private final SecureRandom random = new SecureRandom();
    /** Epochs already posted wrong once: after the challenge this validator posts them honestly. */
    private final java.util.HashSet<Long> wrongPosted = new java.util.HashSet<>();

    private long lastCommitEpoch = -1;
    private long nextClaimEpoch;
    private int commits;
    private int reveals;
    private int closes;
    private int posts;
    private int challengesWon;
    private int finalized;
    private BigInteger claimedWei = BigInteger.ZERO;
    private long lastChallengeGas;

    /**
     * @param pendingFile where the pending commit (salt and weights) is kept until revealed
     * @param wrongPostEpochs epochs this validator posts with one wrong incentive, to show a challenge taking its bond
     *     (a demonstration for local networks: it only ever costs this validator's own bond)
     * @param wrongDividendsEpochs epochs this validator posts once with dividends moved between UIDs (every sum and
     *     emission consistent with them), to show the dividends challenge taking its bond (the same kind of demonstration)
     */
    public SubnetValidator(SubnetsClient subnets, ChainClient chain, long netuid, String self, MinerScorer scorer,
            Path pendingFile, Set<Long> wrongPostEpochs, Set<Long> wrongDividendsEpochs, boolean posts,
            Consumer<String> log) {
        this.subnets = subnets;
        this.chain = chain;
        this.netuid = netuid;
        this.self = self.toLowerCase(java.util.Locale.ROOT);
        this.scorer = scorer;
        this.pendingFile = pendingFile;
        this.wrongPostEpochs = Set.copyOf(wrongPostEpochs);
        this.wrongDividendsEpochs = Set.copyOf(wrongDividendsEpochs);
        this.postsEpochs = posts;
        this.log = log;
        this.actions = new EpochActions(subnets, new EpochBook(subnets, netuid));
    }

    public EpochActions actions() {
        return actions;
    }

    public synchronized Stats stats() {
        return new Stats(commits, reveals, closes, posts, challengesWon, finalized, claimedWei, lastChallengeGas);
    }

    /** Registers this account on the subnet when it holds no UID; returns its UID. */
    public int ensureRegistered() {
        OptionalInt uid = subnets.uidOf(netuid, self);
        if (uid.isPresent()) return uid.getAsInt();
        int got = subnets.register(netuid, subnets.params(netuid).maxBurn());
        log.accept("registered as UID " + got + " of subnet " + netuid);
        return got;
    }

    /** One round of everything a validator does; each step is skipped when the chain says it is not due. */
    public synchronized void poll() {
        int uid = ensureRegistered();
        weights(uid);
        long block = chain.blockNumber();
        try {
            actions.closeIfDue(block).ifPresent(c -> {
                closes++;
                log.accept("closed epoch " + c.epoch() + " of subnet " + netuid + " at block " + c.block() + " (pool "
                        + hyp(c.pool()) + ")");
            });
        } catch (ChainException e) {
            if (!String.valueOf(e.getMessage()).contains("EpochNotDue")) throw e; // another validator closed it first
        }
        long next = actions.nextToPost();
        long closed = subnets.subnet(netuid).epoch.longValueExact();
        if (next < closed) {
            SubnetEpochs.Post p = subnets.post(netuid, next);
            if (p.poster.equals(NOBODY) && postsEpochs) {
                postEpoch(next);
            } else if (!p.poster.equalsIgnoreCase(self)) {
                watch(next);
            }
            if (actions.finalizeIfDue(next, chain.blockNumber())) {
                finalized++;
                log.accept("finalized epoch " + next + " of subnet " + netuid);
            }
        }
        EpochActions.Claims claims = actions.claimFinal(self, nextClaimEpoch);
        for (EpochActions.Claimed c : claims.claimed()) {
            claimedWei = claimedWei.add(c.wei());
            log.accept("claimed " + hyp(c.wei()) + " for UID " + c.uid() + " of epoch " + c.epoch());
        }
        nextClaimEpoch = claims.nextEpoch();
    }

    private void postEpoch(long epoch) {
        int wrongUid = -1;
        String note = "";
        try {
            if (wrongDividendsEpochs.contains(epoch) && wrongPosted.add(epoch)) {
                Optional<String> moved = actions.postShiftingDividends(epoch);
                note = moved.map(m -> " WITH DIVIDENDS MOVED: " + m + " (demonstration: a dividends challenge takes the bond)")
                        .orElse(" honestly (no dividends to move)");
            } else {
                if (wrongPostEpochs.contains(epoch) && wrongPosted.add(epoch)) {
                    var leaves = actions.book().compute(epoch).orElseThrow().post().leaves();
                    wrongUid = leaves.size() - 1; // the last UID: a miner in local networks, whose incentive is easy to see
                    note = " WITH A WRONG INCENTIVE FOR UID " + wrongUid + " (demonstration: a challenge takes the bond)";
                }
                actions.post(epoch, wrongUid);
            }
        } catch (ChainException e) {
            if (String.valueOf(e.getMessage()).contains("AlreadyPosted")) return; // another validator was first
            throw e;
        }
        posts++;
        log.accept("posted epoch " + epoch + " of subnet " + netuid + note);
    }

    private void watch(long epoch) {
        var check = actions.check(epoch);
        if (check.isEmpty() || !check.get().open() || !check.get().wrong()) return;
        log.accept("epoch " + epoch + " post by " + check.get().poster() + " differs from the recomputation at UIDs "
                + check.get().differing() + ": challenging");
        actions.challenge(epoch).ifPresentOrElse(won -> {
            challengesWon++;
            lastChallengeGas = won.gasUsed();
            log.accept("challenge of epoch " + epoch + " UID " + won.uid() + " won: wrong " + won.faultName() + ", bond "
                    + hyp(won.bond()) + " taken from the poster, " + won.gasUsed() + " gas");
        }, () -> log.accept("epoch " + epoch + ": no differing UID is provably wrong on chain"));
    }

    // ---- weights -------------------------------------------------------------------------------------------

    private void weights(int uid) {
        SubnetRegistry.Uid me = subnets.uid(netuid, uid);
        long block = chain.blockNumber();
        var params = subnets.params(netuid);
        Pending pending = readPending();
        if (pending != null) {
            if (block + 1 < pending.commitBlock + params.commitRevealInterval()) return;
            try {
                subnets.revealWeights(netuid, pending.row, pending.salt);
                reveals++;
                log.accept("revealed weights " + describe(pending.row));
            } catch (ChainException e) {
                String m = String.valueOf(e.getMessage());
                if (!m.contains("RevealExpired") && !m.contains("NoCommit") && !m.contains("NoPermit")) throw e;
                log.accept("dropped a pending commit: " + m);
            }
            deletePending();
            return;
        }
        if (!me.permit) return; // permits come with the next epoch close, by stake
        long epoch = subnets.subnet(netuid).epoch.longValueExact();
        if (epoch <= lastCommitEpoch) return; // once per tempo
        long last = me.lastUpdate.longValueExact();
        if (last != 0 && block + 1 < last + params.weightsRateLimit()) return;
        WeightRow row = row(uid);
        if (row.uids().length == 0) return;
        byte[] salt = new byte[32];
        random.nextBytes(salt);
        byte[] hash = subnets.weightsHash(netuid, self, row, salt);
        // the salt is on disk before the commit: a commit whose salt is lost could never be revealed
        writePending(new Pending(salt, row, block + 1));
        var receipt = subnets.commitWeights(netuid, hash);
        writePending(new Pending(salt, row, receipt.getBlockNumber().longValueExact()));
        lastCommitEpoch = epoch;
        commits++;
        log.accept("committed weights for epoch " + epoch + " (revealed after " + params.commitRevealInterval() + " blocks)");
    }

    private WeightRow row(int selfUid) {
        int n = subnets.subnet(netuid).n.intValueExact();
        List<MinerScorer.Member> members = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (j != selfUid) members.add(new MinerScorer.Member(j, subnets.uid(netuid, j).account));
        }
        Map<Integer, Integer> scores = new TreeMap<>(scorer.score(members)); // sorted: UIDs strictly increasing
        scores.values().removeIf(v -> v == null || v <= 0);
        scores.replaceAll((k, v) -> Math.min(v, 65_535));
        scores.keySet().removeIf(k -> k == selfUid || k < 0 || k >= n);
        return new WeightRow(scores.keySet().stream().mapToInt(Integer::intValue).toArray(),
                scores.values().stream().mapToInt(Integer::intValue).toArray());
    }

    private static String describe(WeightRow row) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < row.uids().length; k++) b.append(k == 0 ? "" : " ").append(row.uids()[k]).append('=').append(row.values()[k]);
        return b.toString();
    }

    private record Pending(byte[] salt, WeightRow row, long commitBlock) {}

    private Pending readPending() {
        if (!Files.isRegularFile(pendingFile)) return null;
        try {
            List<String> lines = Files.readAllLines(pendingFile, StandardCharsets.UTF_8);
            String[] pairs = lines.get(1).isBlank() ? new String[0] : lines.get(1).split(" ");
            int[] uids = new int[pairs.length];
            int[] values = new int[pairs.length];
            for (int k = 0; k < pairs.length; k++) {
                String[] kv = pairs[k].split("=", 2);
                uids[k] = Integer.parseInt(kv[0]);
                values[k] = Integer.parseInt(kv[1]);
            }
            return new Pending(HexFormat.of().parseHex(lines.get(0)), new WeightRow(uids, values), Long.parseLong(lines.get(2)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(pendingFile + " is not a pending commit (salt, weights, block): " + e.getMessage(), e);
        }
    }

    private void writePending(Pending p) {
        try {
            Files.createDirectories(pendingFile.getParent());
            Path tmp = pendingFile.resolveSibling(pendingFile.getFileName() + ".tmp");
            Files.writeString(tmp, HexFormat.of().formatHex(p.salt) + "\n" + describe(p.row) + "\n" + p.commitBlock + "\n",
                    StandardCharsets.UTF_8);
            Files.move(tmp, pendingFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pendingFile, e);
        }
    }

    private void deletePending() {
        try {
            Files.deleteIfExists(pendingFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + pendingFile, e);
        }
    }

    static String hyp(BigInteger wei) {
        return new java.math.BigDecimal(wei).movePointLeft(18).stripTrailingZeros().toPlainString() + " HYP";
    }
}
