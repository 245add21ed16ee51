package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.DisputeOutcome;
import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * One whole dispute on a real anvil chain with `hypha deploy`'s contracts: the deployment binds TrainingVerifier to
 * ComputeMarket and schedules its FAULT_PROOF_ROLE through the timelock; a provider whose training goes wrong after
 * step 5 commits every 4 steps; a staked verifier challenges the commitment at step 8; both play the bisection and the
 * descent through the client; a staked referee votes the true leaf; resolution slashes the provider, refunds the
 * tenant and returns the bond.
 */
class TrainingVerifierClientTest {
    private static final byte[] SPEC = Hashes.keccak256("tiny.toml".getBytes(StandardCharsets.UTF_8));
    private static final Resources NEEDS = new Resources(1, 512, 0);
    private static final int DEPTH = 3;
    private static DeployedChain chain;
    private static Credentials tenant;
    private static Credentials provider;
    private static Credentials challenger;
    private static Credentials referee;

    /** The training states as seen by one party: the truth, or wrong in leaf {@code leaf} after step {@code from}. */
    private record States(long from, int leaf) {
        static final States HONEST = new States(Long.MAX_VALUE, 0);

        byte[] leafHash(long step, long i) {
            String kind = step > from && i == leaf ? "wrong" : "truth";
            return Hashes.keccak256(ByteBuffer.allocate(kind.length() + 16).put(kind.getBytes(StandardCharsets.US_ASCII))
                    .putLong(step).putLong(i).array());
        }

        byte[] node(long step, int level, long index) {
            if (level == DEPTH) {
                return leafHash(step, index);
            }
            byte[] b = new byte[65];
            b[0] = 1;
            System.arraycopy(node(step, level + 1, 2 * index), 0, b, 1, 32);
            System.arraycopy(node(step, level + 1, 2 * index + 1), 0, b, 33, 32);
            return Hashes.keccak256(b);
        }

        byte[] root(long step) {
            return node(step, 0, 0);
        }
    }

    @BeforeAll
    static void deploy() {
        chain = new DeployedChain();
        tenant = chain.devnet.account(1);
        provider = chain.devnet.account(2);
        challenger = chain.devnet.account(4);
        referee = chain.devnet.account(5);
        chain.mintUsd(tenant, 1_000_000_000);
        chain.registerProvider(provider, chain.devnet.account(3), "compute");
        for (Credentials v : new Credentials[] {challenger, referee}) {
            chain.as(chain.devnet.account(0)).hyp().transfer(v.getAddress(), Deployer.hyp(1_200));
            chain.as(v).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        }
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static void move(TrainingVerifierClient client, BigInteger id, States states) {
        VerifierDispute d = client.dispute(id);
        if (d.phase() == DisputePhase.BISECT) {
            client.postRoot(id, states.root(d.midStep()));
        } else {
            client.revealChildren(id, states.node(d.hi(), d.level() + 1, 2 * d.nodeIndex()),
                    states.node(d.hi(), d.level() + 1, 2 * d.nodeIndex() + 1));
        }
    }

    @Test
    void aCheatingProviderIsBisectedToOneStepAndLeafVotedDownAndSlashed() {
        HyphaContracts deployer = chain.as(chain.devnet.account(0));
        assertThat(deployer.compute().verifier()).isEqualTo(deployer.verifier().address());
        Deployer d = new Deployer(chain.sender(chain.devnet.account(0)));
        assertThat(d.completeVerifierGrant(chain.deployment)).as("not before the governance delay").isFalse();

        BigInteger order = chain.as(tenant).compute().createOrder(SPEC, NEEDS, BigInteger.valueOf(3_600_000),
                BigInteger.valueOf(7_200_000), 600, Address.ZERO);
        chain.as(provider).compute().bid(order, BigInteger.valueOf(3_600_000), NEEDS, new byte[0], 0);
        chain.as(tenant).compute().acceptBid(order, 0);

        States cheat = new States(5, 6);
        TrainingVerifierClient byProvider = chain.as(provider).verifier();
        for (long step = 0; step <= 12; step += 4) {
            byProvider.commit(order, step, cheat.root(step), DEPTH);
        }
        assertThat(byProvider.commitmentCount(order)).isEqualTo(4);
        assertThatThrownBy(() -> byProvider.commit(order, 12, cheat.root(12), DEPTH)).isInstanceOf(ChainException.class)
                .hasMessageContaining("StepNotAfter");

        TrainingVerifierClient byChallenger = chain.as(challenger).verifier();
        assertThatThrownBy(() -> chain.as(tenant).verifier().challenge(order, 2, States.HONEST.root(8)))
                .isInstanceOf(ChainException.class).hasMessageContaining("NotVerifier");
        BigInteger hypBefore = chain.as(challenger).hyp().balanceOf(challenger.getAddress());
        BigInteger dispute = byChallenger.challenge(order, 2, States.HONEST.root(8));
        assertThat(byChallenger.bondsHeld()).isEqualTo(Deployer.hyp(100));

        int rounds = 0;
        while (byChallenger.dispute(dispute).phase() != DisputePhase.VOTE) {
            move(byProvider, dispute, cheat);
            move(byChallenger, dispute, States.HONEST);
            rounds++;
        }
        assertThat(rounds).as("log2(4) bisection rounds + depth descent rounds").isEqualTo(2 + DEPTH);
        VerifierDispute atVote = byChallenger.dispute(dispute);
        assertThat(atVote.lo()).isEqualTo(5);
        assertThat(atVote.hi()).isEqualTo(6);
        assertThat(atVote.nodeIndex()).isEqualTo(6);
        assertThat(atVote.agreedRoot()).isEqualTo(States.HONEST.root(5));

        chain.as(referee).verifier().vote(dispute, States.HONEST.leafHash(6, 6));
        chain.travel(121); // past the vote window (60 s on the local chain) and the governance delay (120 s)
        assertThatThrownBy(() -> byChallenger.resolve(dispute)).as("Staking refuses to slash before the grant")
                .isInstanceOf(ChainException.class);
        assertThat(d.completeVerifierGrant(chain.deployment)).isTrue();

        BigInteger stakeBefore = chain.as(provider).staking().stakeOf(provider.getAddress(), StakingClient.PROVIDER_ROLE);
        BigInteger tenantBefore = chain.usd(tenant);
        var before = chain.as(tenant).compute().order(order);
        BigInteger held = before.held();
        BigInteger released = chain.as(tenant).compute().released(order);
        byChallenger.resolve(dispute);

        VerifierDispute done = byChallenger.dispute(dispute);
        assertThat(done.phase()).isEqualTo(DisputePhase.RESOLVED);
        assertThat(done.outcome()).isEqualTo(DisputeOutcome.CHALLENGER_WON);
        assertThat(chain.as(provider).staking().stakeOf(provider.getAddress(), StakingClient.PROVIDER_ROLE))
                .isEqualTo(stakeBefore.subtract(Deployer.hyp(500)));
        assertThat(chain.as(challenger).hyp().balanceOf(challenger.getAddress())).isEqualTo(hypBefore);
        assertThat(byChallenger.bondsHeld()).isZero();
        var closed = chain.as(tenant).compute().order(order);
        assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
        assertThat(closed.closeReason()).isEqualTo(CloseReason.FAULT);
        // the escrow still held and what was paid but not yet released (none of the work was final) go back
        assertThat(chain.usd(tenant).subtract(tenantBefore)).isEqualTo(held.add(before.paid()).subtract(released));
        assertThat(closed.paid()).isEqualTo(released);
    }
}
