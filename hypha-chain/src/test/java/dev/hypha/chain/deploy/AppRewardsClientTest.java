package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * AppRewards as `hypha deploy` deploys it, through its client on a real anvil chain: an honest creator earns its revenue
 * share at once and a reward after the epoch from another account's paid use; a wash trader paying itself through its
 * own app (as its creator, and through a sybil payer and its own provider) ends poorer as a party, all its rewards
 * claimed; refusals are decoded by name.
 */
class AppRewardsClientTest {
    private static final BigInteger PRICE = BigInteger.valueOf(1_000_000); // 1 hUSD per use
    private static DeployedChain chain;
    private static Credentials sponsor;
    private static Credentials creator;
    private static Credentials provider;
    private static Credentials user;
    private static Credentials wash;
    private static Credentials washSybil;
    private static Credentials washProvider;

    @BeforeAll
    static void deploy() {
        chain = new DeployedChain();
        sponsor = chain.devnet.account(0);
        creator = chain.devnet.account(1);
        provider = chain.devnet.account(2);
        user = chain.devnet.account(3);
        wash = chain.devnet.account(4);
        washSybil = chain.devnet.account(5);
        washProvider = chain.devnet.account(6);
        chain.mintUsd(sponsor, 1_000_000_000L);
        chain.mintUsd(user, 100_000_000L);
        chain.mintUsd(wash, 200_000_000L);
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }

    private static byte[] spec(int b) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) b);
        return s;
    }

    /** Mines blocks until AppRewards' current epoch is past {@code epoch}. */
    private static void endEpoch(long epoch) {
        AppRewardsClient apps = chain.as(sponsor).apps();
        while (apps.currentEpoch() <= epoch) {
            chain.client.request("evm_mine");
        }
    }

    private static List<Long> washPaymentsEpochs(long app, long fromBlock) {
        return chain.as(sponsor).apps().payments(app, fromBlock).stream().map(AppRewardsClient.Payment::epoch).toList();
    }

    private static BigInteger partyBalance(List<Credentials> party) {
        return party.stream().map(chain::usd).reduce(BigInteger.ZERO, BigInteger::add);
    }

    @Test
    void deployedLastWithTheTimelockAsFeeSinkAndLocalEpochs() {
        List<String> names = List.copyOf(chain.deployment.contracts().keySet());
        assertThat(names.subList(names.size() - 2, names.size()))
                .containsExactly(AppRewardsClient.NAME, EmissionAuctionClient.NAME);
        AppRewardsClient apps = chain.as(sponsor).apps();
        assertThat(apps.epochBlocks()).isEqualTo(20);
        assertThat(apps.token()).isEqualTo(Address.parse(chain.deployment.address(PaymentTokenClient.NAME)));
    }

    @Test
    void emissionAccruesToTheAuctionAndABoughtLotGrowsThePoolByExactlyWhatWasPaid() {
        HyphaContracts admin = chain.as(sponsor);
        chain.travel(chain.deployment.governanceDelaySeconds() + 1);
        assertThat(new Deployer(chain.sender(sponsor)).completeEmissionsGrant(chain.deployment)).isTrue();
        EmissionAuctionClient auction = chain.as(user).auction();
        EmissionAuctionClient.Params params = auction.params();
        assertThat(params.startPrice()).isEqualTo(BigInteger.valueOf(10_000_000L));
        assertThat(params.lotBlocks()).isEqualTo(100);
        assertThat(auction.paymentToken()).isEqualTo(admin.apps().token());
        assertThatThrownBy(() -> auction.buy(0, params.startPrice())).isInstanceOf(ChainException.class)
                .hasMessageContaining("no live lot");
        // 0.1 HYP per block goes to the apps: at least 1 HYP (the smallest lot) after 10 blocks
        while (auction.lot().nextLotAmount().compareTo(params.minLot()) < 0) {
            chain.client.request("evm_mine");
        }
        long lotId = auction.openLot();
        EmissionAuctionClient.Lot lot = auction.lot();
        assertThat(lot.id()).isEqualTo(lotId);
        assertThat(lot.live()).isTrue();
        assertThat(lot.amount()).isGreaterThanOrEqualTo(params.minLot());
        assertThat(lot.price()).isEqualTo(params.startPrice());
        assertThat(admin.subnets().minted()).isGreaterThanOrEqualTo(lot.amount());
        for (int i = 0; i < 9; i++) {
            chain.client.request("evm_mine"); // the price falls block by block
        }
        BigInteger drop = params.startPrice().subtract(params.floorPrice());
        BigInteger guard = params.startPrice().subtract(drop.multiply(BigInteger.TEN).divide(BigInteger.valueOf(100)));
        BigInteger poolBefore = admin.apps().pool();
        BigInteger usdBefore = chain.usd(user);
        EmissionAuctionClient.Purchase bought = auction.buy(lotId, guard); // the approval and the buy: 2 more blocks
        long elapsed = admin.apps().blockNumber() - lot.startBlock();
        assertThat(elapsed).isEqualTo(11);
        assertThat(bought.price()).isEqualTo(params.startPrice()
                .subtract(drop.multiply(BigInteger.valueOf(elapsed)).divide(BigInteger.valueOf(100))))
                .isLessThanOrEqualTo(guard);
        assertThat(bought.amount()).isEqualTo(lot.amount());
        assertThat(bought.cost()).isEqualTo(EmissionAuctionClient.costAt(lot.amount(), bought.price()));
        assertThat(usdBefore.subtract(chain.usd(user))).isEqualTo(bought.cost());
        assertThat(admin.apps().pool().subtract(poolBefore)).as("the pool grew by exactly what was paid")
                .isEqualTo(bought.cost());
        assertThat(admin.hyp().balanceOf(user.getAddress())).isEqualTo(lot.amount());
        assertThat(auction.lot().live()).isFalse();
        assertThat(auction.proceeds()).isEqualTo(bought.cost());
        assertThat(auction.claimed()).as("everything minted to the auction").isEqualTo(lot.amount());
        // someone opens the next lot: a buy naming the lot read before is refused, not moved to the new lot
        while (auction.lot().nextLotAmount().compareTo(params.minLot()) < 0) {
            chain.client.request("evm_mine");
        }
        long next = auction.openLot();
        assertThat(next).isEqualTo(lotId + 1);
        assertThatThrownBy(() -> auction.buy(lotId, params.startPrice())).isInstanceOf(ChainException.class)
                .hasMessageContaining("lot #" + lotId + " is not the live lot: lot #" + next + " is");
    }

    @Test
    void anHonestCreatorEarnsFromOthersUseAndAWashTraderEndsPoorer() {
        AppRewardsClient asSponsor = chain.as(sponsor).apps();
        asSponsor.fund(BigInteger.valueOf(500_000_000L)); // 500 hUSD of rewards: the 5 % cap binds, not the pool
        long honestApp = chain.as(creator).apps().publish(spec(1), PRICE, 3_000);
        long washApp = chain.as(wash).apps().publish(spec(2), PRICE, 10_000);
        AppRewardsClient.App read = asSponsor.app(honestApp);
        assertThat(read.creator()).isEqualTo(addr(creator));
        assertThat(read.price()).isEqualTo(PRICE);
        assertThat(read.creatorBps()).isEqualTo(3_000);
        assertThat(read.spec()).isEqualTo(spec(1));

        List<Credentials> washParty = List.of(wash, washSybil, washProvider);
        chain.as(wash).payment().transfer(washSybil.getAddress(), BigInteger.valueOf(100_000_000L));
        BigInteger washBefore = partyBalance(washParty);
        BigInteger creatorBefore = chain.usd(creator);
        long fromBlock = asSponsor.blockNumber();

        for (Credentials payer : List.of(user, washSybil, wash)) {
            chain.as(payer).apps().allow(PRICE.multiply(BigInteger.TEN));
        }
        // start at an epoch's first block, so the nine payments (one block each) fall in one 20-block epoch
        while ((asSponsor.blockNumber() + 1 - asSponsor.startBlock()) % asSponsor.epochBlocks() != 0) {
            chain.client.request("evm_mine");
        }
        long epoch = (asSponsor.blockNumber() + 1 - asSponsor.startBlock()) / asSponsor.epochBlocks();
        for (int i = 0; i < 3; i++) {
            chain.as(user).apps().pay(honestApp, addr(provider), PRICE);
            chain.as(washSybil).apps().pay(washApp, addr(washProvider), PRICE); // a sybil "customer": eligible
            chain.as(wash).apps().pay(washApp, addr(washProvider), PRICE); // the creator itself: never eligible
        }
        assertThat(washPaymentsEpochs(washApp, fromBlock)).as("the payments fit one 20-block epoch").containsOnly(epoch);
        // 1 hUSD: 0.1 fee, 30 % of 0.9 = 0.27 to the creator, 0.63 to the provider
        assertThat(chain.usd(creator).subtract(creatorBefore)).isEqualTo(BigInteger.valueOf(3 * 270_000L));
        assertThat(asSponsor.eligibleFees(epoch, honestApp)).isEqualTo(PRICE.multiply(BigInteger.valueOf(3)));
        assertThat(asSponsor.eligibleFees(epoch, washApp)).isEqualTo(PRICE.multiply(BigInteger.valueOf(3)));
        List<AppRewardsClient.Payment> washPayments = asSponsor.payments(washApp, fromBlock);
        assertThat(washPayments).hasSize(6);
        assertThat(washPayments.stream().filter(AppRewardsClient.Payment::eligible)).hasSize(3)
                .allMatch(p -> p.payer().equals(addr(washSybil)));

        assertThatThrownBy(() -> asSponsor.claim(epoch, honestApp)).isInstanceOf(ChainException.class)
                .hasMessageContaining("EpochNotOver");
        endEpoch(epoch);
        BigInteger honestReward = chain.as(user).apps().claim(epoch, honestApp); // anyone may send it
        BigInteger washReward = chain.as(wash).apps().claim(epoch, washApp);
        // 5 % of each app's eligible fees: the cap binds (10 % of the pool is far more)
        assertThat(honestReward).isEqualTo(BigInteger.valueOf(150_000));
        assertThat(washReward).isEqualTo(BigInteger.valueOf(150_000));
        assertThat(asSponsor.claimed(epoch, honestApp)).isTrue();
        assertThatThrownBy(() -> asSponsor.claim(epoch, honestApp)).isInstanceOf(ChainException.class)
                .hasMessageContaining("AlreadyClaimed");

        assertThat(chain.usd(creator).subtract(creatorBefore)).as("revenue share plus reward from another's use")
                .isEqualTo(BigInteger.valueOf(3 * 270_000L + 150_000));
        BigInteger washAfter = partyBalance(washParty);
        // The party paid 6 hUSD, got back 6 × 0.9 (creator share + own provider) + 0.15 reward: 0.45 poorer.
        assertThat(washAfter).as("a wash trader earns nothing: the party ends poorer").isLessThan(washBefore);
        assertThat(washBefore.subtract(washAfter)).isEqualTo(BigInteger.valueOf(450_000));
    }

    @Test
    void refusalsAreDecodedByName() {
        AppRewardsClient asUser = chain.as(user).apps();
        assertThatThrownBy(() -> asUser.app(1_000)).isInstanceOf(ChainException.class).hasMessageContaining("UnknownApp");
        assertThatThrownBy(() -> asUser.pay(1_000, addr(provider), PRICE)).isInstanceOf(ChainException.class)
                .hasMessageContaining("UnknownApp");
        assertThatThrownBy(() -> asUser.publish(spec(3), PRICE, 10_001)).isInstanceOf(ChainException.class)
                .hasMessageContaining("10001 bps");
        long app = chain.as(creator).apps().publish(spec(4), PRICE, 0);
        assertThatThrownBy(() -> asUser.update(app, spec(5), PRICE, 0)).isInstanceOf(ChainException.class)
                .hasMessageContaining("NotCreator");
    }
}
