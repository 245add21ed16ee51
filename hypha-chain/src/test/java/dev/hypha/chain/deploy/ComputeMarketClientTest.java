package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.AuditDomain;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hashes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * ComputeMarket through its client on a real anvil chain with `hypha deploy`'s contracts: a tenant's order, a
 * registered provider's bid, the lease streaming per second of chain time, settlement by a stranger, the tenant's close
 * refunding the rest; an order naming an auditor leased to a bid carrying that auditor's attestation, signed here,
 * and bids without one, or with one for another provider, expired or over other resources, refused by the contract
 * with its reason; and the contract's refusals decoded by name.
 */
class ComputeMarketClientTest {
    private static final byte[] SPEC = Hashes.keccak256("examples/fashion-mnist-cnn.toml".getBytes(StandardCharsets.UTF_8));
    private static final Resources NEEDS = new Resources(2, 4096, 0);
    private static DeployedChain chain;
    private static Credentials tenant;
    private static Credentials provider;
    private static Credentials stranger;

    @BeforeAll
    static void deploy() {
        chain = new DeployedChain();
        tenant = chain.devnet.account(1);
        provider = chain.devnet.account(2);
        stranger = chain.devnet.account(4);
        chain.mintUsd(tenant, 1_000_000_000);
        chain.registerProvider(provider, chain.devnet.account(3), "compute");
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static HyphaContracts as(Credentials who) {
        return chain.as(who);
    }

    private static BigInteger usd(Credentials who) {
        return chain.usd(who);
    }

    @Test
    void anOrderIsLeasedPaidPerSecondAndClosed() {
        ComputeMarketClient market = as(tenant).compute();
        BigInteger tenantBefore = usd(tenant);
        BigInteger id = market.createOrder(SPEC, NEEDS, BigInteger.valueOf(3_600_000), BigInteger.valueOf(7_200_000),
                600, Address.ZERO);
        ComputeOrder open = market.order(id);
        assertThat(open.state()).isEqualTo(OrderState.OPEN);
        assertThat(open.tenant()).isEqualTo(Address.parse(tenant.getAddress()));
        assertThat(open.needs()).isEqualTo(NEEDS);
        assertThat(open.held()).isEqualTo(7_200_000);
        assertThat(usd(tenant)).isEqualTo(tenantBefore.subtract(BigInteger.valueOf(7_200_000)));

        BigInteger bidIndex = as(provider).compute().bid(id, BigInteger.valueOf(3_600_000), new Resources(4, 8192, 0),
                new byte[0], 0);
        assertThat(bidIndex).isZero();
        assertThat(market.bids(id)).singleElement().satisfies(b -> {
            assertThat(b.provider()).isEqualTo(Address.parse(provider.getAddress()));
            assertThat(b.offered().covers(NEEDS)).isTrue();
        });
        market.acceptBid(id, 0);
        ComputeOrder leased = market.order(id);
        assertThat(leased.state()).isEqualTo(OrderState.LEASED);
        assertThat(market.fundedUntil(id)).isEqualTo(leased.leaseStart() + 7200); // 1000 units a second

        chain.travel(100);
        BigInteger providerBefore = usd(provider);
        as(stranger).compute().settle(id);
        long paidSeconds = market.order(id).paid().longValueExact() / 1000;
        assertThat(paidSeconds).isBetween(100L, 102L); // the settling block's time, a second or two after the jump
        // TrainingVerifier is bound: the pay leaves the escrow but stays in the market until the work is final
        assertThat(usd(provider)).isEqualTo(providerBefore);
        assertThat(market.releasable(id)).isZero();

        market.closeLease(id);
        ComputeOrder closed = market.order(id);
        assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
        assertThat(closed.closeReason()).isEqualTo(CloseReason.TENANT);
        assertThat(closed.held()).isZero();
        long seconds = closed.leaseEnd() - closed.leaseStart();
        assertThat(closed.paid()).isEqualTo(seconds * 1000);
        assertThat(usd(tenant)).isEqualTo(tenantBefore.subtract(closed.paid()));
        // nothing was committed, so all of it is final a challenge window after the close; anyone releases it
        chain.travel(as(tenant).verifier().challengeWindow() + 1);
        assertThat(market.releasable(id)).isEqualTo(closed.paid());
        as(stranger).compute().release(id);
        assertThat(usd(provider)).isEqualTo(providerBefore.add(closed.paid()));
        assertThat(market.released(id)).isEqualTo(closed.paid());
        assertThat(market.releasable(id)).isZero();
    }

    @Test
    void refusalsAreDecodedByName() {
        ComputeMarketClient market = as(tenant).compute();
        BigInteger id = market.createOrder(SPEC, NEEDS, BigInteger.valueOf(1_000), BigInteger.valueOf(10_000), 600,
                Address.ZERO);
        assertThatThrownBy(() -> as(stranger).compute().bid(id, BigInteger.ONE, NEEDS, new byte[0], 0))
                .isInstanceOf(ChainException.class)
                .hasMessageStartingWith("ComputeMarket.bid reverted: ComputeMarket: InactiveProvider(provider=");
        assertThatThrownBy(() -> as(provider).compute().bid(id, BigInteger.ONE, new Resources(1, 4096, 0), new byte[0], 0))
                .isInstanceOf(ChainException.class).hasMessageContaining("InsufficientResources");
        assertThatThrownBy(() -> as(stranger).compute().cancelOrder(id))
                .isInstanceOf(ChainException.class).hasMessageContaining("NotTenant");
        market.cancelOrder(id);
        assertThat(market.order(id).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(market.order(BigInteger.valueOf(999)).state()).isEqualTo(OrderState.NONE);
    }

    @Test
    void anOrderNamingAnAuditorTakesOnlyBidsItAttested() {
        Credentials auditor = chain.devnet.account(5);
        Address auditorAddress = Address.parse(auditor.getAddress());
        Address providerAddress = Address.parse(provider.getAddress());
        ComputeMarketClient market = as(tenant).compute();
        BigInteger id = market.createOrder(SPEC, NEEDS, BigInteger.valueOf(3_600_000), BigInteger.valueOf(7_200_000),
                600, auditorAddress);
        assertThat(market.order(id).auditor()).isEqualTo(auditorAddress);
        AuditDomain domain = new AuditDomain(chain.deployment.chainId(), market.address());
        Resources machine = new Resources(4, 8192, 0);
        long expiresAt = chain.time() + 3600;
        ResourceAttestation good = domain.attest(auditorAddress, providerAddress, machine, expiresAt,
                data -> Eip712.sign(data, auditor));
        // the digest signed here is the contract's own
        assertThat(domain.digest(providerAddress, machine, expiresAt))
                .isEqualTo(market.attestationDigest(providerAddress, machine, expiresAt));
        assertThat(good.isSigned()).isTrue();

        ComputeMarketClient asProvider = as(provider).compute();
        BigInteger price = BigInteger.valueOf(3_000_000);
        String refused = "ComputeMarket.bid reverted: ComputeMarket: InvalidAttestation(orderId=" + id + ", auditor="
                + auditorAddress.lowercaseHex() + ")";
        assertThatThrownBy(() -> asProvider.bid(id, price, machine, new byte[0], 0))
                .isInstanceOf(ChainException.class).hasMessageStartingWith(refused);
        ResourceAttestation forStranger = domain.attest(auditorAddress, Address.parse(stranger.getAddress()), machine,
                expiresAt, data -> Eip712.sign(data, auditor));
        assertThatThrownBy(() -> asProvider.bid(id, price, machine, forStranger.signature().toBytes(), expiresAt))
                .isInstanceOf(ChainException.class).hasMessageStartingWith(refused);
        long past = chain.time() - 1;
        ResourceAttestation expired = domain.attest(auditorAddress, providerAddress, machine, past,
                data -> Eip712.sign(data, auditor));
        assertThatThrownBy(() -> asProvider.bid(id, price, machine, expired.signature().toBytes(), past))
                .isInstanceOf(ChainException.class).hasMessageStartingWith(refused);
        Resources claimed = new Resources(8, 8192, 0);
        assertThatThrownBy(() -> asProvider.bid(id, price, claimed, good.signature().toBytes(), expiresAt))
                .isInstanceOf(ChainException.class).hasMessageStartingWith(refused);
        ResourceAttestation bySomeoneElse = domain.attest(Address.parse(stranger.getAddress()), providerAddress, machine,
                expiresAt, data -> Eip712.sign(data, stranger));
        assertThatThrownBy(() -> asProvider.bid(id, price, machine, bySomeoneElse.signature().toBytes(), expiresAt))
                .isInstanceOf(ChainException.class).hasMessageStartingWith(refused);
        assertThat(market.bids(id)).isEmpty();

        BigInteger bidIndex = asProvider.bid(id, price, machine, good.signature().toBytes(), expiresAt);
        market.acceptBid(id, bidIndex.longValueExact());
        ComputeOrder leased = market.order(id);
        assertThat(leased.state()).isEqualTo(OrderState.LEASED);
        assertThat(leased.provider()).isEqualTo(providerAddress);
        assertThat(market.bids(id)).singleElement().satisfies(b -> assertThat(b.offered()).isEqualTo(machine));
        market.closeLease(id);
    }
}
