package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/** Payment channels from Java against the contract as `hypha deploy` deploys it, on anvil. */
class PaymentChannelsClientTest {
    private static Devnet devnet;
    private static ChainClient client;
    private static NonceManager nonces;
    private static Deployment deployment;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        for (int i = 1; i <= 3; i++) {
            as(devnet.account(0)).payment().mint(devnet.account(i).getAddress(), BigInteger.valueOf(1_000_000_000));
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }

    private static ChannelParams channel(Credentials payer, Credentials provider, long n) {
        return new ChannelParams(addr(payer), addr(provider), Address.parse(deployment.address("PaymentToken")), addr(payer),
                ChannelParams.salt(n));
    }

    private static BigInteger usd(Credentials who) {
        return as(who).payment().balanceOf(who.getAddress());
    }

    @Test
    void idsAndVoucherDigestsAreTheContractsToTheByte() throws Exception {
        ChannelParams c = channel(devnet.account(1), devnet.account(2), 7);
        PaymentChannelsClient channels = as(devnet.account(1)).channels();
        assertThat(Numeric.toHexString(channels.binding().channelIdOf(PaymentChannelsClient.struct(c)).send())).isEqualTo(c.id());
        VoucherDomain domain = channels.voucherDomain();
        for (BigInteger amount : List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO.pow(255))) {
            assertThat(domain.digest(c.id(), amount)).isEqualTo(channels.voucherDigest(c.id(), amount));
        }
        assertThat(channels.challengePeriod()).isEqualTo(60);
    }

    @Test
    void aPayerOpensSignsAndClosesAndTheProviderIsPaidTheNewestVoucher() {
        Credentials payer = devnet.account(1);
        Credentials provider = devnet.account(2);
        PaymentChannelsClient payerSide = as(payer).channels();
        PaymentChannelsClient providerSide = as(provider).channels();
        TransactionSender payerSigner = sender(payer);
        ChannelParams c = channel(payer, provider, 1);
        BigInteger payerStart = usd(payer);
        BigInteger providerStart = usd(provider);

        String id = payerSide.open(c, BigInteger.valueOf(5_000_000));
        VoucherDomain domain = payerSide.voucherDomain();
        Voucher first = domain.sign(id, BigInteger.valueOf(120_000), payerSigner::signTypedData);
        Voucher second = domain.sign(id, BigInteger.valueOf(450_000), payerSigner::signTypedData);
        assertThat(domain.isSignedBy(second, addr(payer))).isTrue();

        providerSide.redeem(c, second);
        assertThat(usd(provider).subtract(providerStart)).isEqualTo(BigInteger.valueOf(450_000));
        assertThatThrownBy(() -> providerSide.redeem(c, first))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentChannels: NothingToRedeem(");

        payerSide.requestClose(c);
        providerSide.redeem(c, domain.sign(id, BigInteger.valueOf(700_000), payerSigner::signTypedData)); // inside the window
        assertThatThrownBy(() -> payerSide.settle(c))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentChannels: ChallengeWindowOpen(");
        client.request("evm_increaseTime", 60);
        client.request("evm_mine");
        payerSide.settle(c);

        ChannelState state = payerSide.state(id);
        assertThat(state.settled()).isTrue();
        assertThat(state.redeemed()).isEqualTo(BigInteger.valueOf(700_000));
        assertThat(usd(provider).subtract(providerStart)).isEqualTo(BigInteger.valueOf(700_000));
        assertThat(usd(payer)).isEqualTo(payerStart.subtract(BigInteger.valueOf(700_000)));
    }

    @Test
    void forgedOrMisdirectedVouchersAreRefusedWithTheContractsReason() {
        Credentials payer = devnet.account(3);
        Credentials provider = devnet.account(2);
        ChannelParams c = channel(payer, provider, 1);
        PaymentChannelsClient payerSide = as(payer).channels();
        String id = payerSide.open(c, BigInteger.valueOf(1_000_000));
        VoucherDomain domain = payerSide.voucherDomain();

        // The provider signs its own "voucher": the client sees at once it is not the payer's, and so does the chain.
        Voucher forged = domain.sign(id, BigInteger.valueOf(1_000_000), sender(provider)::signTypedData);
        assertThat(domain.isSignedBy(forged, addr(payer))).isFalse();
        assertThatThrownBy(() -> as(provider).channels().redeem(c, forged))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentChannels: InvalidVoucher()");

        Voucher genuine = domain.sign(id, BigInteger.TEN, sender(payer)::signTypedData);
        assertThatThrownBy(() -> as(provider).channels().redeem(channel(payer, provider, 2), genuine))
                .isInstanceOf(ChainException.class).hasMessageContaining("cannot be redeemed on channel");
        // A voucher signed for another contract (another domain) does not verify here.
        VoucherDomain elsewhere = new VoucherDomain(domain.chainId(), Address.parse(deployment.address("Staking")));
        assertThat(domain.isSignedBy(elsewhere.sign(id, BigInteger.TEN, sender(payer)::signTypedData), addr(payer))).isFalse();
    }

    @Test
    void badAmountsAndSaltsAreInputErrors() {
        ChannelParams c = channel(devnet.account(1), devnet.account(2), 9);
        PaymentChannelsClient channels = as(devnet.account(1)).channels();
        assertThatThrownBy(() -> channels.open(c, BigInteger.ZERO)).hasMessageContaining("between 1 and 2^96-1");
        assertThatThrownBy(() -> channels.open(c, BigInteger.TWO.pow(96))).hasMessageContaining("between 1 and 2^96-1");
        assertThatThrownBy(() -> new ChannelParams(addr(devnet.account(1)), addr(devnet.account(2)),
                Address.parse(deployment.address("PaymentToken")), addr(devnet.account(1)), "0x12"))
                .hasMessageContaining("64 hex digits");
    }

    @Test
    void theMemoryOfWhichSignersAreContractsIsBounded() throws Exception {
        PaymentChannelsClient channels = new PaymentChannelsClient(ContractCalls.connect(deployment,
                sender(devnet.account(1))), 3);
        for (int i = 0; i < 5; i++) {
            // A peer names a fresh plain key as payer and signer: asked of the chain once, then remembered.
            Credentials key = Credentials.create(org.web3j.crypto.Keys.createEcKeyPair());
            ChannelParams c = new ChannelParams(addr(key), addr(devnet.account(2)),
                    Address.parse(deployment.address("PaymentToken")), addr(key), ChannelParams.salt(i));
            Voucher v = channels.voucherDomain().sign(c.id(), BigInteger.ONE, sender(key)::signTypedData);

            assertThat(channels.accountAccepts(c, v)).isFalse();
            assertThat(channels.cachedSigners()).isEqualTo(Math.min(i + 1, 3));
        }
    }
}
