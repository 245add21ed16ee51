package dev.hypha.node.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.subnets.SubnetParams;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Two validator daemons and three miners on a real anvil chain with `hypha deploy`'s contracts, polled in turn while
 * blocks are mined (one posts, the other only watches): validators register, get permits from their stake, commit and reveal weights each tempo, close and
 * post epochs computed from the chain's logs alone; one of them posts epoch 2 with a wrong incentive, the other
 * recomputes it, challenges and takes the bond, and the epoch is then posted honestly. Miners and validators claim
 * their emission, and the miner scored highest earns the most.
 */
class SubnetDaemonsTest {
    private static final SubnetParams PARAMS = new SubnetParams(10, 8, 2, 5, 32_767, 65_535, 900_000, 1, 2, 1_000,
            Deployer.hyp(1), Deployer.hyp(100));

    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;
    private static TransactionSender admin;
    private static long netuid;

    @TempDir
    static Path dir;

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, new TransactionSender(chain, who, new NonceManager(chain),
                RevertDecoder.forHyphaContracts()));
    }

    @BeforeAll
    static void start() {
        devnet = new AnvilLauncher().accounts(7).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        admin = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(admin).deploy(DeployParams.devnet());
        HyphaContracts a = HyphaContracts.connect(deployment, admin);
        for (int i = 1; i <= 6; i++) a.hyp().transfer(devnet.account(i).getAddress(), Deployer.hyp(2_000));
        netuid = as(devnet.account(1)).subnets().createSubnet(PARAMS);
        as(devnet.account(2)).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        as(devnet.account(3)).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(600));
    }

    @AfterAll
    static void stop() {
        if (chain != null) chain.close();
        if (devnet != null) devnet.close();
    }

    @Test
    void validatorsRunEpochsChallengeAWrongPostAndEmissionsReachEveryone() {
        List<String> lines = new ArrayList<>();
        // scores by account: miners 4, 5, 6 rated 1 : 3 : 6 by both validators
        Map<String, Integer> rating = Map.of(devnet.account(4).getAddress().toLowerCase(), 10_000,
                devnet.account(5).getAddress().toLowerCase(), 30_000, devnet.account(6).getAddress().toLowerCase(), 60_000);
        MinerScorer scorer = members -> {
            var out = new java.util.HashMap<Integer, Integer>();
            for (MinerScorer.Member m : members) {
                Integer s = rating.get(m.account().toLowerCase());
                if (s != null) out.put(m.uid(), s);
            }
            return out;
        };
        SubnetValidator honest = validator(2, scorer, Set.of(), false, lines); // watches only
        SubnetValidator cheat = validator(3, scorer, Set.of(2L), true, lines);
        List<SubnetMiner> miners = new ArrayList<>();
        for (int i = 4; i <= 6; i++) {
            Credentials who = devnet.account(i);
            miners.add(new SubnetMiner(as(who).subnets(), netuid, who.getAddress(), l -> lines.add("miner " + l)));
        }
        honest.ensureRegistered();
        cheat.ensureRegistered();
        miners.forEach(SubnetMiner::ensureRegistered);
        SubnetsClient reader = as(devnet.account(0)).subnets();
        BigInteger cheatBefore = as(devnet.account(3)).hyp().balanceOf(devnet.account(3).getAddress());
        boolean granted = false;
        for (int round = 0; round < 400 && reader.acceptedEpochs(netuid) < 5; round++) {
            if (!granted && reader.acceptedEpochs(netuid) >= 2) {
                // SubnetEmissions' MINTER_ROLE clears the governance delay only now: epochs 0 and 1 are claimed late
                assertThat(reader.emissionsCanMint()).isFalse();
                chain.request("evm_increaseTime", deployment.governanceDelaySeconds() + 1);
                granted = new Deployer(admin).completeEmissionsGrant(deployment);
            }
            cheat.poll();
            honest.poll();
            miners.forEach(SubnetMiner::poll);
            chain.request("evm_mine");
        }
        miners.forEach(SubnetMiner::poll);
        honest.poll();
        cheat.poll();
        lines.forEach(System.out::println);
        // every paying leaf of every final epoch was claimed, those final before the grant included
        for (long e = 0; e < reader.acceptedEpochs(netuid); e++) {
            for (var leaf : reader.postedLeaves(netuid, e).orElseThrow()) {
                if (leaf.claimWei().signum() > 0) assertThat(reader.claimed(netuid, e, leaf.uid())).as("epoch " + e + " UID " + leaf.uid()).isTrue();
            }
        }
        assertThat(reader.acceptedEpochs(netuid)).isGreaterThanOrEqualTo(5);
        assertThat(honest.stats().challengesWon()).isEqualTo(1);
        assertThat(cheat.stats().challengesWon()).isZero();
        assertThat(lines).anyMatch(l -> l.contains("challenge of epoch 2 UID 4 won"));
        assertThat(honest.stats().reveals()).isGreaterThanOrEqualTo(3);
        // every accepted epoch matches the honest recomputation
        EpochActions check = new EpochActions(reader, new EpochBook(reader, netuid));
        for (long e = 0; e < reader.acceptedEpochs(netuid); e++) assertThat(check.check(e).orElseThrow().wrong()).isFalse();
        // emissions reached miners and validators; the best-rated miner earned the most
        assertThat(honest.stats().claimedWei()).isPositive();
        assertThat(cheat.stats().claimedWei()).isPositive();
        assertThat(miners.get(0).claimedWei()).isPositive();
        assertThat(miners.get(2).claimedWei()).isGreaterThan(miners.get(1).claimedWei());
        assertThat(miners.get(1).claimedWei()).isGreaterThan(miners.get(0).claimedWei());
        // the cheat lost one bond: its balance moved by what it claimed, less the lost bond (and one still held)
        BigInteger cheatAfter = as(devnet.account(3)).hyp().balanceOf(devnet.account(3).getAddress());
        var open = reader.post(netuid, reader.acceptedEpochs(netuid)); // its newest post may still hold a bond
        BigInteger held = open.poster.equalsIgnoreCase(devnet.account(3).getAddress()) ? reader.postBond() : BigInteger.ZERO;
        assertThat(cheatBefore.add(cheat.stats().claimedWei()).subtract(cheatAfter).subtract(held)).isEqualTo(reader.postBond());
    }

    private static SubnetValidator validator(int account, MinerScorer scorer, Set<Long> wrong, boolean posts,
            List<String> lines) {
        Credentials who = devnet.account(account);
        return new SubnetValidator(as(who).subnets(), chain, netuid, who.getAddress(), scorer,
                dir.resolve("v" + account + ".pending"), wrong, Set.of(), posts, l -> lines.add("validator " + account + ": " + l));
    }
}
