package dev.hypha.chain.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.contract.ChainCallManager;
import dev.hypha.chain.contracts.PaymentChannels;
import dev.hypha.chain.contracts.PaymentToken;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.DefaultGasProvider;

/** The Java side of payment channels against the real contract on anvil. */
class PaymentChannelsClientTest {
    private static final long WINDOW = 60;

    private static Devnet devnet;
    private static ChainClient client;
    private static NonceManager nonces;
    private static String usd;
    private static String channelsAddress;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        TransactionSender owner = sender(devnet.account(0));
        usd = owner.send(TxRequest.deploy("PaymentToken", PaymentToken.BINARY + FunctionEncoder.encodeConstructor(List.<Type>of(
                new Utf8String("Hypha USD"), new Utf8String("hUSD"), new Uint8(6),
                new org.web3j.abi.datatypes.Address(owner.address()))))).getContractAddress();
        channelsAddress = owner.send(TxRequest.deploy("PaymentChannels",
                PaymentChannels.BINARY + FunctionEncoder.encodeConstructor(List.<Type>of(new Uint64(WINDOW)))))
                .getContractAddress();
        for (int i = 1; i <= 3; i++) {
            String mint = PaymentToken.load(usd, client.web3j(), devnet.account(0), new DefaultGasProvider())
                    .mint(devnet.account(i).getAddress(), BigInteger.valueOf(1_000_000_000)).encodeFunctionCall();
            owner.send(TxRequest.call("PaymentToken", "mint", usd, mint));
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

    private static PaymentChannelsClient as(Credentials who) {
        return PaymentChannelsClient.at(channelsAddress, sender(who));
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }

    private static ChannelParams channel(Credentials payer, Credentials provider, long n) {
        return new ChannelParams(addr(payer), addr(provider), Address.parse(usd), addr(payer), ChannelParams.salt(n));
    }

    private static BigInteger usdBalance(Credentials who) throws Exception {
        return PaymentToken.load(usd, client.web3j(), new ChainCallManager(client, who.getAddress(),
                RevertDecoder.forHyphaContracts(), "PaymentToken"), new DefaultGasProvider()).balanceOf(who.getAddress()).send();
    }

    @Test
    void idsAndVoucherDigestsAreTheContractsToTheByte() throws Exception {
        ChannelParams c = channel(devnet.account(1), devnet.account(2), 7);
        PaymentChannels binding = PaymentChannels.load(channelsAddress, client.web3j(),
                new ChainCallManager(client, devnet.account(1).getAddress(), RevertDecoder.forHyphaContracts(), "PaymentChannels"),
                new DefaultGasProvider());
        assertThat(org.web3j.utils.Numeric.toHexString(binding.channelIdOf(c.toStruct()).send())).isEqualTo(c.id());

        PaymentChannelsClient channels = as(devnet.account(1));
        VoucherDomain domain = channels.voucherDomain();
        for (BigInteger amount : List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO.pow(255))) {
            assertThat(domain.digest(c.id(), amount)).isEqualTo(channels.voucherDigest(c.id(), amount));
        }
    }

    @Test
    void aPayerOpensSignsAndClosesAndTheProviderIsPaidTheNewestVoucher() throws Exception {
        Credentials payer = devnet.account(1);
        Credentials provider = devnet.account(2);
        PaymentChannelsClient payerSide = as(payer);
        PaymentChannelsClient providerSide = as(provider);
        TransactionSender payerSigner = sender(payer);
        ChannelParams c = channel(payer, provider, 1);
        BigInteger payerStart = usdBalance(payer);
        BigInteger providerStart = usdBalance(provider);

        String id = payerSide.open(c, BigInteger.valueOf(5_000_000));
        VoucherDomain domain = payerSide.voucherDomain();
        Voucher first = domain.sign(id, BigInteger.valueOf(120_000), payerSigner::signTypedData);
        Voucher second = domain.sign(id, BigInteger.valueOf(450_000), payerSigner::signTypedData);
        assertThat(domain.isSignedBy(second, addr(payer))).isTrue();

        providerSide.redeem(c, second);
        assertThat(usdBalance(provider).subtract(providerStart)).isEqualTo(BigInteger.valueOf(450_000));
        assertThatThrownBy(() -> providerSide.redeem(c, first))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentChannels: NothingToRedeem(");

        payerSide.requestClose(c);
        Voucher last = domain.sign(id, BigInteger.valueOf(700_000), payerSigner::signTypedData);
        providerSide.redeem(c, last); // still inside the challenge window
        assertThatThrownBy(() -> payerSide.settle(c))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentChannels: ChallengeWindowOpen(");
        client.request("evm_increaseTime", WINDOW);
        client.request("evm_mine");
        payerSide.settle(c);

        ChannelState state = payerSide.state(id);
        assertThat(state.settled()).isTrue();
        assertThat(state.redeemed()).isEqualTo(BigInteger.valueOf(700_000));
        assertThat(usdBalance(provider).subtract(providerStart)).isEqualTo(BigInteger.valueOf(700_000));
        assertThat(usdBalance(payer)).isEqualTo(payerStart.subtract(BigInteger.valueOf(700_000)));
    }

    @Test
    void forgedOrMisdirectedVouchersAreRefusedWithTheContractsReason() {
        Credentials payer = devnet.account(3);
        Credentials provider = devnet.account(2);
        ChannelParams c = channel(payer, provider, 1);
        PaymentChannelsClient payerSide = as(payer);
        String id = payerSide.open(c, BigInteger.valueOf(1_000_000));
        VoucherDomain domain = payerSide.voucherDomain();

        // The provider signs its own "voucher": the client sees at once it is not the payer's, and so does the chain.
        Voucher forged = domain.sign(id, BigInteger.valueOf(1_000_000), sender(provider)::signTypedData);
        assertThat(domain.isSignedBy(forged, addr(payer))).isFalse();
        assertThatThrownBy(() -> as(provider).redeem(c, forged))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentChannels: InvalidVoucher()");

        Voucher genuine = domain.sign(id, BigInteger.TEN, sender(payer)::signTypedData);
        ChannelParams other = channel(payer, provider, 2);
        assertThatThrownBy(() -> as(provider).redeem(other, genuine))
                .isInstanceOf(ChainException.class).hasMessageContaining("cannot be redeemed on channel");
        // A voucher for another deployment of the contract (another domain) does not verify here.
        VoucherDomain elsewhere = new VoucherDomain(domain.chainId(), Address.parse(usd));
        assertThat(domain.isSignedBy(elsewhere.sign(id, BigInteger.TEN, sender(payer)::signTypedData), addr(payer))).isFalse();
    }

    @Test
    void badAmountsAndSaltsAreInputErrors() {
        ChannelParams c = channel(devnet.account(1), devnet.account(2), 9);
        assertThatThrownBy(() -> as(devnet.account(1)).open(c, BigInteger.ZERO)).hasMessageContaining("between 1 and 2^96-1");
        assertThatThrownBy(() -> as(devnet.account(1)).open(c, BigInteger.TWO.pow(96))).hasMessageContaining("between 1 and 2^96-1");
        assertThatThrownBy(() -> new ChannelParams(addr(devnet.account(1)), addr(devnet.account(2)), Address.parse(usd),
                addr(devnet.account(1)), "0x12")).hasMessageContaining("64 hex digits");
    }
}
