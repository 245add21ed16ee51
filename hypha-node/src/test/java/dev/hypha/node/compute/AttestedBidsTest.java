package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.compute.AuditDomain;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Signature;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The bid engine on a real anvil chain with `hypha deploy`'s contracts: an order that names an auditor is bid on with
 * that auditor's attestation (written to a file and read back as `compute offer --attestation` does) and leased to
 * it; an order naming another auditor is skipped; an attestation the market refuses (tampered) is reported with the
 * market's own reason and leaves no bid behind; prices come from the offer's policy, marked up when busy.
 */
class AttestedBidsTest {
    private static final byte[] SPEC = Hashes.keccak256("attested.toml".getBytes(StandardCharsets.UTF_8));
    private static final Resources MACHINE = new Resources(4, 8192, 0);
    private static final BigInteger MAX_PRICE = BigInteger.valueOf(10_000_000);
    /** 1000 flat + 500 a core + 256 a GiB, 25% more when busy. */
    private static final PricingPolicy POLICY = new PricingPolicy(BigInteger.valueOf(1000), BigInteger.valueOf(500),
            BigInteger.valueOf(256), BigInteger.ZERO, BigInteger.valueOf(100), 2500);

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials tenant;
    private static Credentials provider;
    private static Credentials auditor;
    private static Credentials otherAuditor;

    @TempDir
    Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void deployAndRegister() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        tenant = devnet.account(1);
        provider = devnet.account(2);
        auditor = devnet.account(5);
        otherAuditor = devnet.account(6);
        as(devnet.account(0)).hyp().transfer(provider.getAddress(), Deployer.hyp(1_000));
        as(provider).staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
        as(provider).registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1",
                provider.getAddress(), List.of("compute"), ""));
        as(devnet.account(0)).payment().mint(tenant.getAddress(), BigInteger.valueOf(1_000_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @Test
    void anAttestedBidWinsTheOrderThatRequiresItsAuditor() {
        ComputeMarketClient market = as(tenant).compute();
        Address self = Address.parse(provider.getAddress());
        AuditDomain domain = new AuditDomain(deployment.chainId(), market.address());
        ResourceAttestation signed = domain.attest(address(auditor), self, MACHINE, chainTime() + 86_400,
                data -> Eip712.sign(data, auditor));
        // through the file an auditor hands over, checked as `compute offer` checks it
        ResourceAttestation read = ComputeOffer.check(AttestationFiles.parse("a.json",
                AttestationFiles.toJson(signed).getBytes(StandardCharsets.UTF_8)), self, domain, chainTime());
        ComputeOffer offer = new ComputeOffer(POLICY, MACHINE, 3, JobLimits.DEFAULT, List.of(read));

        Resources needs = new Resources(2, 2048, 0);
        BigInteger audited = market.createOrder(SPEC, needs, MAX_PRICE, BigInteger.valueOf(50_000_000), 600, address(auditor));
        BigInteger foreign = market.createOrder(SPEC, needs, MAX_PRICE, BigInteger.valueOf(50_000_000), 600,
                address(otherAuditor));
        BigInteger plain = market.createOrder(SPEC, needs, MAX_PRICE, BigInteger.valueOf(50_000_000), 600, Address.ZERO);

        BidEngine engine = new BidEngine(as(provider).compute(), self, offer, JobBook.open(dir), log::add);
        // 3 slots, all free: at most 1 in use while bidding, not more than half, so no markup
        assertThat(engine.scan(chainTime(), 3)).isEqualTo(2);

        ComputeBid bid = market.bids(audited).getFirst();
        assertThat(bid.offered()).isEqualTo(MACHINE);
        BigInteger base = BigInteger.valueOf(1000 + 2 * 500 + 2 * 256);
        assertThat(bid.pricePerHour()).isEqualTo(base); // nothing in use yet
        assertThat(market.bids(foreign)).isEmpty();
        assertThat(market.bids(plain).getFirst().pricePerHour()).isEqualTo(base);
        assertThat(log).anySatisfy(l -> assertThat(l).contains("order " + foreign + ": skipped, it needs auditor "
                + address(otherAuditor)));
        assertThat(log).anySatisfy(l -> assertThat(l).contains("order " + audited + ": bid " + base
                + "/h with auditor " + address(auditor)));

        market.acceptBid(audited, 0);
        assertThat(market.order(audited).state()).isEqualTo(OrderState.LEASED);
        assertThat(market.order(audited).provider()).isEqualTo(self);
        market.closeLease(audited);
        market.cancelOrder(foreign);
        market.cancelOrder(plain);

        // busy: two of three slots in use, so 25% more, rounded up
        BigInteger later = market.createOrder(SPEC, needs, MAX_PRICE, BigInteger.valueOf(50_000_000), 600, Address.ZERO);
        assertThat(new BidEngine(as(provider).compute(), self, offer, JobBook.open(dir.resolve("busy")), log::add)
                .scan(chainTime(), 1)).isEqualTo(1); // a fresh book starts from order 1; the one open order is `later`
        assertThat(market.bids(later).getFirst().pricePerHour()).isEqualTo(BigInteger.valueOf((2512 * 125 + 99) / 100));
        market.cancelOrder(later);
    }

    @Test
    void aBidTheMarketRefusesIsReportedWithItsReasonAndLeavesNoBid() {
        ComputeMarketClient market = as(tenant).compute();
        Address self = Address.parse(provider.getAddress());
        AuditDomain domain = new AuditDomain(deployment.chainId(), market.address());
        long expiresAt = chainTime() + 86_400;
        // signed for 2 cores, then edited to say 4: the local check would catch it, so this offer skips the check
        Signature overTwoCores = domain.attest(address(auditor), self, new Resources(2, 8192, 0), expiresAt,
                data -> Eip712.sign(data, auditor)).signature();
        ResourceAttestation tampered = new ResourceAttestation(deployment.chainId(), market.address(), address(auditor),
                self, MACHINE, expiresAt, overTwoCores);
        assertThat(tampered.isSigned()).isFalse();
        ComputeOffer offer = new ComputeOffer(PricingPolicy.fixed(BigInteger.valueOf(5000)), MACHINE, 1, JobLimits.DEFAULT,
                List.of(tampered));
        BigInteger id = market.createOrder(SPEC, new Resources(1, 1024, 0), MAX_PRICE, BigInteger.valueOf(50_000_000), 600,
                address(auditor));
        JobBook book = JobBook.open(dir);
        book.saveCursor(id);
        assertThat(new BidEngine(as(provider).compute(), self, offer, book, log::add).scan(chainTime(), 1)).isZero();
        assertThat(log).anySatisfy(l -> assertThat(l).startsWith("order " + id + ": bid refused: ComputeMarket.bid reverted: "
                + "ComputeMarket: InvalidAttestation(orderId=" + id + ", auditor=" + address(auditor).lowercaseHex() + ")"));
        assertThat(book.get(id)).isEmpty();
        assertThat(market.bids(id)).isEmpty();
        market.cancelOrder(id);
    }

    private static Address address(Credentials who) {
        return Address.parse(who.getAddress());
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static long chainTime() {
        return chain.latestBlock().getTimestamp().longValueExact();
    }
}
