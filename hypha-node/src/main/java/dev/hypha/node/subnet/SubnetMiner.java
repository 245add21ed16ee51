package dev.hypha.node.subnet;

import dev.hypha.chain.deploy.SubnetsClient;
import java.math.BigInteger;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * A subnet miner's chain side: holds a UID (registering by burn) and pulls its emission of every final epoch. The work
 * itself is served beside it (the inference-quality subnet's miners are inference providers: `hypha provider start`
 * under the same account), and validators score it there.
 */
public final class SubnetMiner {
    private final SubnetsClient subnets;
    private final EpochActions actions;
    private final long netuid;
    private final String self;
    private final Consumer<String> log;
    private long nextClaimEpoch;
    private BigInteger claimedWei = BigInteger.ZERO;

    public SubnetMiner(SubnetsClient subnets, long netuid, String self, Consumer<String> log) {
        this.subnets = subnets;
        this.netuid = netuid;
        this.self = self;
        this.log = log;
        this.actions = new EpochActions(subnets, new EpochBook(subnets, netuid));
    }

    /** Registers when this account holds no UID; returns its UID. */
    public int ensureRegistered() {
        OptionalInt uid = subnets.uidOf(netuid, self);
        if (uid.isPresent()) return uid.getAsInt();
        int got = subnets.register(netuid, subnets.params(netuid).maxBurn());
        log.accept("registered as UID " + got + " of subnet " + netuid);
        return got;
    }

    public synchronized void poll() {
        ensureRegistered();
        EpochActions.Claims claims = actions.claimFinal(self, nextClaimEpoch);
        for (EpochActions.Claimed c : claims.claimed()) {
            claimedWei = claimedWei.add(c.wei());
            log.accept("claimed " + SubnetValidator.hyp(c.wei()) + " for UID " + c.uid() + " of epoch " + c.epoch());
        }
        nextClaimEpoch = claims.nextEpoch();
    }

    public synchronized BigInteger claimedWei() {
        return claimedWei;
    }
}
