package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.subnets.ChallengeData;
import dev.hypha.chain.subnets.DividendsChallengeData;
import dev.hypha.chain.subnets.SubnetLeaf;
import dev.hypha.chain.subnets.SubnetParams;
import dev.hypha.chain.subnets.UidInput;
import dev.hypha.chain.subnets.WeightRow;
import dev.hypha.chain.subnets.YumaPost;
import dev.hypha.incentives.yuma.U16Rows;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * A subnet on a real anvil chain, deployed as `hypha up` deploys it: UIDs registered by burn, validators staked in
 * Staking, weights committed and revealed; each epoch computed off-chain by hypha-incentives' Yuma epoch and posted.
 * The on-chain recomputation of every UID agrees with it (each challenge of an honest post reverts), a post with one
 * wrong output loses its bond to the challenger, and claims pay each UID what its leaf says, minted by SubnetEmissions.
 */
class SubnetsClientTest {
    private static final SubnetParams PARAMS = new SubnetParams(10, 8, 4, 5, 32_767, 65_535, 900_000, 1, 2, 1_000,
            Deployer.hyp(1), Deployer.hyp(100));
    private static DeployedChain chain;
    private static Credentials owner;
    private static Credentials poster;
    private static Credentials challenger;
    private static final List<Credentials> uids = new ArrayList<>();
    private static long netuid;
    private static final List<WeightRow> rows = new ArrayList<>();

    @BeforeAll
    static void start() {
        chain = new DeployedChain();
        owner = chain.devnet.account(1);
        poster = chain.devnet.account(2);
        challenger = chain.devnet.account(3);
        HyphaContracts admin = chain.as(chain.devnet.account(0));
        chain.travel(chain.deployment.governanceDelaySeconds() + 1);
        assertThat(new Deployer(chain.sender(chain.devnet.account(0))).completeEmissionsGrant(chain.deployment)).isTrue();
        for (int i = 1; i <= 8; i++) admin.hyp().transfer(chain.devnet.account(i).getAddress(), Deployer.hyp(5_000));
        netuid = chain.as(owner).subnets().createSubnet(PARAMS);
        for (int i = 4; i <= 8; i++) {
            Credentials who = chain.devnet.account(i);
            assertThat(chain.as(who).subnets().register(netuid, Deployer.hyp(100))).isEqualTo(uids.size());
            uids.add(who);
            rows.add(WeightRow.EMPTY);
        }
        long[] stakes = {1_000, 600, 300};
        for (int v = 0; v < stakes.length; v++) {
            chain.as(uids.get(v)).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(stakes[v]));
        }
    }

    @AfterAll
    static void stop() {
        if (chain != null) chain.close();
    }

    private static void mine(long blocks) {
        for (long b = 0; b < blocks; b++) chain.client.request("evm_mine");
    }

    private static SubnetsClient as(Credentials who) {
        return chain.as(who).subnets();
    }

    private static SubnetsClient.ClosedEpoch close() {
        var s = as(owner).subnet(netuid);
        long due = s.lastEpochBlock.longValueExact() + PARAMS.tempo();
        long now = chain.client.blockNumber();
        if (now + 1 < due) mine(due - now - 1);
        return as(owner).closeEpoch(netuid);
    }

    private static YumaPost compute(SubnetsClient.ClosedEpoch e, U16Rows previous) {
        var snap = as(owner).snapshot(netuid, e.epoch());
        return YumaPost.compute(as(owner).params(netuid), snap.block.longValueExact(), snap.lastStepBlock.longValueExact(),
                snap.pool, e.inputs(), List.copyOf(rows), previous);
    }

    /** Validators 0..2 weigh everyone else with seeded values, through commit and reveal. */
    private static void setWeights(int seed) {
        for (int v = 0; v < 3; v++) {
            int[] targets = new int[4];
            int[] values = new int[4];
            int k = 0;
            for (int j = 0; j < 5; j++) {
                if (j == v) continue;
                targets[k] = j;
                values[k] = (int) (1 + Math.floorMod((seed * 31L + v * 7L + j) * 2_654_435_761L, 65_535L));
                k++;
            }
            WeightRow row = new WeightRow(targets, values);
            byte[] salt = new byte[32];
            salt[0] = (byte) seed;
            salt[1] = (byte) v;
            SubnetsClient c = as(uids.get(v));
            c.commitWeights(netuid, c.weightsHash(netuid, uids.get(v).getAddress(), row, salt));
            mine(PARAMS.commitRevealInterval());
            c.revealWeights(netuid, row, salt);
            rows.set(v, row);
        }
    }

    private static void postAndFinalize(long epoch, List<SubnetLeaf> leaves) {
        as(poster).post(netuid, epoch, leaves);
        mine(11);
        as(poster).finalizeEpoch(netuid, epoch);
    }

    @Test
    void hyphaIncentivesEpochsSurviveOnChainRecomputationAndAWrongPostLosesItsBond() {
        SubnetsClient.ClosedEpoch e0 = close();
        assertThat(e0.inputs()).extracting(UidInput::account)
                .containsExactlyElementsOf(uids.stream().map(c -> c.getAddress().toLowerCase()).toList());
        YumaPost p0 = compute(e0, null);
        postAndFinalize(0, p0.leaves());

        setWeights(1);
        SubnetsClient.ClosedEpoch e1 = close();
        YumaPost p1 = compute(e1, p0.bonds());
        assertThat(p1.leaves().get(3).incentive()).isPositive();
        as(poster).post(netuid, 1, p1.leaves());
        for (int j = 0; j < 5; j++) {
            ChallengeData data = new ChallengeData(j, e1.inputs(), List.copyOf(rows), p1.leaves(), p0.leaves(),
                    YumaPost.bondsColumn(p0.bonds(), j), p1.running(j - 1));
            assertThatThrownBy(() -> as(challenger).challenge(netuid, 1, data))
                    .isInstanceOf(ChainException.class).hasMessageContaining("PostIsCorrect");
            // hypha-incentives' dividends are what SubnetEpochs recomputes from the last running vector
            DividendsChallengeData dividends = new DividendsChallengeData(j, e1.inputs(), p1.leaves(), p1.running(4));
            assertThatThrownBy(() -> as(challenger).challengeDividends(netuid, 1, dividends))
                    .isInstanceOf(ChainException.class).hasMessageContaining("PostIsCorrect");
        }
        assertThat(p1.leaves().get(0).dividends()).as("validators earned dividends").isPositive();
        mine(11);
        as(poster).finalizeEpoch(netuid, 1);

        // miners and validators pull what their leaves say, minted now
        for (int j = 0; j < 5; j++) {
            SubnetLeaf leaf = p1.leaves().get(j);
            BigInteger before = chain.as(uids.get(j)).hyp().balanceOf(uids.get(j).getAddress());
            BigInteger paid = as(uids.get(j)).claim(netuid, 1, p1.leaves(), j);
            assertThat(paid).isEqualTo(leaf.claimWei());
            assertThat(chain.as(uids.get(j)).hyp().balanceOf(uids.get(j).getAddress()).subtract(before)).isEqualTo(paid);
        }
        assertThat(p1.leaves().get(3).claimWei()).isPositive();
        assertThat(as(owner).minted()).isPositive();

        // epoch 2 chains the bonds; a post with one wrong incentive is challenged and loses its bond
        setWeights(2);
        SubnetsClient.ClosedEpoch e2 = close();
        YumaPost p2 = compute(e2, p1.bonds());
        List<SubnetLeaf> wrong = new ArrayList<>(p2.leaves());
        wrong.set(3, wrong.get(3).withIncentive(wrong.get(3).incentive() + 1));
        as(poster).post(netuid, 2, wrong);
        BigInteger before = chain.as(challenger).hyp().balanceOf(challenger.getAddress());
        SubnetsClient.Challenged won = as(challenger).challenge(netuid, 2, new ChallengeData(3, e2.inputs(),
                List.copyOf(rows), wrong, p1.leaves(), YumaPost.bondsColumn(p1.bonds(), 3), p2.running(2)));
        assertThat(won.fault()).isEqualTo(4); // Fault.Incentive
        assertThat(chain.as(challenger).hyp().balanceOf(challenger.getAddress()).subtract(before))
                .isEqualTo(as(owner).postBond());
        System.out.println("gas of one challenge (5 UIDs, 3 validators): " + won.gasUsed());
        assertThat(as(owner).post(netuid, 2).poster).isEqualTo("0x0000000000000000000000000000000000000000");

        // a post moving a quarter of validator 0's dividends to validator 2, every sum and emission consistent with
        // it: the column challenge of validator 0 finds nothing, the dividends challenge takes the bond
        List<SubnetLeaf> shifted = p2.withDividendsMoved(0, 2, p2.leaves().get(0).dividends() / 4);
        assertThat(shifted.get(2).claimWei()).isGreaterThan(p2.leaves().get(2).claimWei());
        as(poster).post(netuid, 2, shifted);
        assertThatThrownBy(() -> as(challenger).challenge(netuid, 2, new ChallengeData(0, e2.inputs(), List.copyOf(rows),
                shifted, p1.leaves(), YumaPost.bondsColumn(p1.bonds(), 0), p2.running(-1))))
                .isInstanceOf(ChainException.class).hasMessageContaining("PostIsCorrect");
        SubnetsClient.Challenged dividendsWon = as(challenger).challengeDividends(netuid, 2,
                new DividendsChallengeData(0, e2.inputs(), shifted, p2.running(4)));
        assertThat(dividendsWon.fault()).isEqualTo(10); // Fault.Dividends
        System.out.println("gas of one dividends challenge (5 UIDs, 3 validators): " + dividendsWon.gasUsed());
        postAndFinalize(2, p2.leaves()); // the honest post of the same epoch is accepted after
        assertThat(as(owner).acceptedEpochs(netuid)).isEqualTo(3);
        assertThat(Arrays.stream(p2.result().incentive()).sum()).isPositive();
    }
}
