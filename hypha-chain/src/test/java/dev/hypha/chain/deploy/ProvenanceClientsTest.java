package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.testing.RangeCappedRpcProxy;
import dev.hypha.chain.assets.AccessRequest;
import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.AssetStatus;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.Terms;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The provenance contracts through their clients on a real anvil chain with `hypha deploy`'s contracts: a dataset and
 * a model built on it registered with licence and lineage and read back; revenue paid to the model reaching the
 * dataset's owner by the declared share and withdrawn; a grant's key readable by its grantee only, gone after
 * revocation and after a key rotation; the contracts' refusals decoded by name, and Java's own checks before any gas.
 */
class ProvenanceClientsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static DeployedChain chain;
    private static Credentials dataOwner;
    private static Credentials modelOwner;
    private static Credentials payer;
    private static Credentials stranger;

    @BeforeAll
    static void deploy() {
        chain = new DeployedChain();
        dataOwner = chain.devnet.account(1);
        modelOwner = chain.devnet.account(2);
        payer = chain.devnet.account(3);
        stranger = chain.devnet.account(4);
        chain.mintUsd(payer, 1_000_000_000);
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static byte[] cid(String hexDigest) {
        return HEX.parseHex("01551220" + hexDigest.repeat(64 / hexDigest.length()));
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }

    @Test
    void registeredLineageIsReadBack_andRevenueReachesTheParentByItsShare() {
        AssetRegistryClient data = chain.as(dataOwner).assets();
        long dataset = data.register(AssetKind.DATASET, cid("a1"), new byte[0],
                Licence.unpriced("CC-BY-4.0", Terms.FREE), List.of());
        Address usd = Address.parse(chain.deployment.address(PaymentTokenClient.NAME));
        long model = chain.as(modelOwner).assets().register(AssetKind.MODEL, cid("b2"), cid("c3"),
                new Licence("Apache-2.0", Terms.PAID_PER_TOKEN, usd, BigInteger.valueOf(20)),
                List.of(new LineageEdge(dataset, 2_500)));

        AssetRecord record = data.asset(model);
        assertThat(record.owner()).isEqualTo(addr(modelOwner));
        assertThat(record.kind()).isEqualTo(AssetKind.MODEL);
        assertThat(record.status()).isEqualTo(AssetStatus.ACTIVE);
        assertThat(record.contentId()).isEqualTo(cid("b2"));
        assertThat(record.metadataId()).isEqualTo(cid("c3"));
        assertThat(record.licence()).isEqualTo(new Licence("Apache-2.0", Terms.PAID_PER_TOKEN, usd, BigInteger.valueOf(20)));
        assertThat(record.parents()).containsExactly(new LineageEdge(dataset, 2_500));
        assertThat(data.parents(model)).containsExactly(new LineageEdge(dataset, 2_500));

        BigInteger dataBefore = chain.as(payer).royalties().balanceOf(usd, addr(dataOwner));
        chain.as(payer).royalties().pay(model, usd, BigInteger.valueOf(1_000_003));
        RoyaltySplitterClient royalties = chain.as(dataOwner).royalties();
        assertThat(royalties.balanceOf(usd, addr(dataOwner)).subtract(dataBefore)).isEqualTo(250_000); // floor(25 %)
        assertThat(royalties.balanceOf(usd, addr(modelOwner))).isEqualTo(750_003); // the rest, remainder included

        BigInteger walletBefore = chain.usd(dataOwner);
        BigInteger owed = royalties.balanceOf(usd, addr(dataOwner));
        royalties.withdraw(usd, addr(dataOwner));
        assertThat(chain.usd(dataOwner)).isEqualTo(walletBefore.add(owed));
        assertThat(royalties.balanceOf(usd, addr(dataOwner))).isZero();
    }

    @Test
    void historyOlderThanOneLogRangeIsReadThroughANodeThatRefusesWiderRanges() throws Exception {
        AssetRegistryClient assets = chain.as(dataOwner).assets();
        long old = assets.register(AssetKind.DATASET, cid("1a"), new byte[0], Licence.unpriced("MIT", Terms.FREE), List.of());
        chain.client.request("anvil_mine", "0x20");
        long recent = assets.register(AssetKind.DATASET, cid("1b"), new byte[0], Licence.unpriced("MIT", Terms.FREE), List.of());

        // A node that refuses more than 8 blocks, and a client told so: the history since deployment takes many calls.
        try (RangeCappedRpcProxy node = new RangeCappedRpcProxy(chain.devnet.rpcUrl(), 8);
             ChainClient capped = ChainClient.connect(node.url(), ChainClient.Options.DEFAULT.withLogRangeBlocks(8))) {
            List<Long> ids = HyphaContracts.readOnly(chain.deployment, capped).assets().registrations(1_000).stream()
                    .map(AssetRegistryClient.Registration::assetId).toList();
            assertThat(ids).contains(old, recent);
            assertThat(node.refused()).isZero();
        }
    }

    @Test
    void versionsDeprecationAndRevocationAreRecorded() {
        AssetRegistryClient assets = chain.as(dataOwner).assets();
        long v1 = assets.register(AssetKind.DATASET, cid("d4"), new byte[0], Licence.unpriced("MIT", Terms.FREE), List.of());
        long v2 = assets.publishVersion(v1, cid("e5"), new byte[0], Licence.unpriced("MIT", Terms.FREE), List.of());
        assets.deprecate(v1, "superseded by v2");
        assertThat(assets.asset(v1).nextVersion()).isEqualTo(v2);
        assertThat(assets.asset(v2).previousVersion()).isEqualTo(v1);
        assertThat(assets.status(v1)).isEqualTo(AssetStatus.DEPRECATED);
        assets.revoke(v2, "licence withdrawn");
        assertThat(assets.status(v2)).isEqualTo(AssetStatus.REVOKED);
        assertThat(assets.asset(v2).contentId()).isEqualTo(cid("e5")); // never erased
    }

    @Test
    void refusalsAreDecodedByName_andJavaChecksBeforeSpendingGas() {
        AssetRegistryClient assets = chain.as(stranger).assets();
        long unknown = assets.nextAssetId() + 5;
        assertThatThrownBy(() -> assets.register(AssetKind.MODEL, cid("f6"), new byte[0],
                Licence.unpriced("MIT", Terms.FREE), List.of(new LineageEdge(unknown, 10))))
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("AssetRegistry: UnknownAsset(assetId=" + unknown + ")");
        long mine = chain.as(dataOwner).assets().register(AssetKind.DATASET, cid("07"), new byte[0],
                Licence.unpriced("MIT", Terms.FREE), List.of());
        assertThatThrownBy(() -> assets.revoke(mine, "not yours"))
                .isInstanceOf(ChainException.class).hasMessageContaining("NotAssetOwner");
        assertThatThrownBy(() -> assets.register(AssetKind.MODEL, cid("08"), new byte[0],
                Licence.unpriced("MIT", Terms.FREE), Collections.nCopies(9, new LineageEdge(mine, 1))))
                .isInstanceOf(ChainException.class).hasMessageContaining("at most 8 parents");
        assertThatThrownBy(() -> new Licence("MIT", Terms.PAID_PER_USE, Address.ZERO, BigInteger.ONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need a token");
        assertThatThrownBy(() -> LineageEdge.parse("3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ID:SHARE_BPS");
        assertThat(LineageEdge.parse("3:2500")).isEqualTo(new LineageEdge(3, 2_500));
    }

    @Test
    void onlyTheGranteeHoldsAKey_andNeitherARevokedOneNorAnyoneAfterARotation() {
        long dataset = chain.as(dataOwner).assets().register(AssetKind.DATASET, cid("99"), new byte[0],
                Licence.unpriced("CC-BY-NC-4.0", Terms.NON_COMMERCIAL), List.of());
        AccessGrantsClient owner = chain.as(dataOwner).grants();
        byte[] key = HEX.parseHex("c0ffee00112233");
        owner.grant(dataset, addr(payer), key);
        owner.grant(dataset, addr(modelOwner), HEX.parseHex("0b0b"));
        assertThat(owner.keyOf(dataset, addr(payer))).hasValueSatisfying(k -> assertThat(k).isEqualTo(key));
        assertThat(owner.keyOf(dataset, addr(stranger))).isEmpty();
        assertThatThrownBy(() -> chain.as(stranger).grants().grant(dataset, addr(stranger), key))
                .isInstanceOf(ChainException.class).hasMessageContaining("NotAssetOwner");

        owner.revoke(dataset, addr(modelOwner));
        assertThat(owner.hasAccess(dataset, addr(modelOwner))).isFalse();
        owner.rotateKey(dataset);
        assertThat(owner.keyOf(dataset, addr(payer))).isEmpty();
        owner.grant(dataset, addr(payer), HEX.parseHex("1e1e"));
        assertThat(owner.keyOf(dataset, addr(payer))).hasValueSatisfying(k -> assertThat(k).isEqualTo(HEX.parseHex("1e1e")));
        assertThat(owner.keyOf(dataset, addr(modelOwner))).isEmpty();
        assertThatThrownBy(() -> owner.grant(dataset, addr(payer), new byte[0]))
                .isInstanceOf(ChainException.class).hasMessageContaining("encrypted key must be 1..512 bytes");
    }

    @Test
    void aPaidRequestIsEscrowed_thenTheDeliveredKeyPaysTheAssetUpItsLineage() {
        Address usd = Address.parse(chain.deployment.address(PaymentTokenClient.NAME));
        long upstream = chain.as(modelOwner).assets().register(AssetKind.DATASET, cid("5a"), new byte[0],
                Licence.unpriced("CC0-1.0", Terms.FREE), List.of());
        long dataset = chain.as(dataOwner).assets().register(AssetKind.DATASET, cid("5b"), new byte[0],
                new Licence("LicenseRef-Paid", Terms.PAID_PER_USE, usd, BigInteger.valueOf(40_000)),
                List.of(new LineageEdge(upstream, 5_000)));
        byte[] buyerKey = new byte[32];
        buyerKey[31] = 7;
        BigInteger payerBefore = chain.usd(payer);
        assertThatThrownBy(() -> chain.as(payer).grants().requestAccess(dataset, buyerKey, BigInteger.valueOf(39_999)))
                .isInstanceOf(ChainException.class).hasMessageContaining("above the accepted 39999");
        long request = chain.as(payer).grants().requestAccess(dataset, buyerKey, BigInteger.valueOf(40_000));
        AccessRequest open = chain.as(payer).grants().request(request);
        assertThat(open.state()).isEqualTo(AccessRequest.State.OPEN);
        assertThat(open.recipientKey()).isEqualTo(buyerKey);
        assertThat(chain.usd(payer)).isEqualTo(payerBefore.subtract(BigInteger.valueOf(40_000)));

        assertThatThrownBy(() -> chain.as(stranger).grants().fulfil(request, HEX.parseHex("ee")))
                .isInstanceOf(ChainException.class).hasMessageContaining("NotAssetOwner");
        BigInteger upstreamBefore = chain.as(modelOwner).royalties().balanceOf(usd, addr(modelOwner));
        chain.as(dataOwner).grants().fulfil(request, HEX.parseHex("ee"));
        assertThat(chain.as(payer).grants().keyOf(dataset, addr(payer)))
                .hasValueSatisfying(k -> assertThat(k).isEqualTo(HEX.parseHex("ee")));
        assertThat(chain.as(payer).grants().request(request).state()).isEqualTo(AccessRequest.State.FULFILLED);
        assertThat(chain.as(modelOwner).royalties().balanceOf(usd, addr(modelOwner)).subtract(upstreamBefore))
                .isEqualTo(20_000);

        long unanswered = chain.as(payer).grants().requestAccess(dataset, buyerKey, BigInteger.valueOf(40_000));
        chain.travel(3 * 24 * 3600 + 1);
        chain.as(stranger).grants().refund(unanswered);
        assertThat(chain.as(payer).grants().request(unanswered).state()).isEqualTo(AccessRequest.State.REFUNDED);
        assertThat(chain.usd(payer)).isEqualTo(payerBefore.subtract(BigInteger.valueOf(40_000)));
    }

    @Test
    void aDataPoolPaysContributorsInProportionToTheirScores() {
        Address usd = Address.parse(chain.deployment.address(PaymentTokenClient.NAME));
        long now = chain.time();
        DataPoolsClient owner = chain.as(payer).pools();
        long pool = owner.createPool(usd, now + 600, now + 1_200, BigInteger.ZERO, new byte[0]);
        owner.setValidator(pool, addr(stranger), true);
        long honest = chain.as(dataOwner).pools().contribute(pool, cid("71"));
        long noisy = chain.as(modelOwner).pools().contribute(pool, cid("72"));
        assertThatThrownBy(() -> chain.as(modelOwner).pools().contribute(pool, cid("71")))
                .isInstanceOf(ChainException.class).hasMessageContaining("DuplicateItem");
        chain.as(stranger).pools().score(honest, 900_000);
        chain.as(stranger).pools().score(noisy, 100_000);
        assertThatThrownBy(() -> chain.as(dataOwner).pools().score(noisy, 0))
                .isInstanceOf(ChainException.class).hasMessageContaining("NotValidator");
        owner.deposit(pool, BigInteger.valueOf(1_000_000));
        DataPool p = owner.pool(pool);
        assertThat(p.totalScore()).isEqualTo(1_000_000);
        assertThat(p.deposited()).isEqualTo(1_000_000);
        assertThat(p.contributions()).isEqualTo(2);

        chain.travel(1_300);
        BigInteger before = chain.usd(dataOwner);
        assertThat(owner.claimable(honest)).isEqualTo(900_000);
        chain.as(stranger).pools().claim(honest);
        chain.as(stranger).pools().claim(noisy);
        assertThat(chain.usd(dataOwner)).isEqualTo(before.add(BigInteger.valueOf(900_000)));
        assertThat(owner.contribution(noisy).claimed()).isEqualTo(100_000);
        assertThat(owner.pool(pool).claimed()).isEqualTo(1_000_000);
    }
}
