package dev.hypha.chain.channels;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.ChainException;
import dev.hypha.chain.contract.ChainCallManager;
import dev.hypha.chain.contracts.PaymentChannels;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple4;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * One PaymentChannels contract, used from one account: open and top up channels (approving the token when the
 * allowance is short), redeem vouchers, request a close, settle; and the reads a payer or provider needs before it
 * trusts a channel. Writes go through the account's {@link TransactionSender} (idempotent, fee-capped, decoded
 * reverts such as {@code PaymentChannels: InvalidVoucher()}).
 */
public final class PaymentChannelsClient {
    private static final String NAME = "PaymentChannels";

    private final String address;
    private final ChainClient client;
    private final TransactionSender sender;
    private final PaymentChannels binding;

    private PaymentChannelsClient(String address, TransactionSender sender) {
        this.address = Address.parse(address).lowercaseHex();
        this.sender = Objects.requireNonNull(sender, "sender");
        this.client = sender.client();
        this.binding = PaymentChannels.load(this.address, client.web3j(),
                new ChainCallManager(client, sender.address(), sender.decoder(), NAME), new DefaultGasProvider());
    }

    /** The contract at {@code address}, used as {@code sender}'s account. */
    public static PaymentChannelsClient at(String address, TransactionSender sender) {
        return new PaymentChannelsClient(address, sender);
    }

    /** The contract's address (lower-case hex). */
    public String address() {
        return address;
    }

    /** The EIP-712 domain vouchers for this contract are signed in. */
    public VoucherDomain voucherDomain() {
        return new VoucherDomain(client.chainId(), Address.parse(address));
    }

    /** Seconds between a close request and settlement. */
    public long challengePeriod() {
        return read("challengePeriod", () -> binding.challengePeriod().send()).longValueExact();
    }

    /** A channel's state (all zero for an id never opened). */
    public ChannelState state(String channelId) {
        Tuple4<BigInteger, BigInteger, BigInteger, Boolean> t =
                read("channelState", () -> binding.channelState(Numeric.hexStringToByteArray(channelId)).send());
        return new ChannelState(t.component1(), t.component2(), t.component3().longValueExact(), t.component4());
    }

    /** The contract's digest of a voucher (to check {@link VoucherDomain} against the chain). */
    public byte[] voucherDigest(String channelId, BigInteger cumulativeAmount) {
        return read("voucherDigest",
                () -> binding.voucherDigest(Numeric.hexStringToByteArray(channelId), cumulativeAmount).send());
    }

    /**
     * Opens a channel with {@code amount} from this account (its payer), first approving the token when the
     * allowance is short.
     *
     * @return the channel's id
     */
    public String open(ChannelParams channel, BigInteger amount) {
        requireAmount(amount);
        approveIfShort(channel.token(), amount);
        write("open", binding.open(channel.toStruct(), amount));
        return channel.id();
    }

    /** Adds {@code amount} to an open channel's deposit (approving the token when the allowance is short). */
    public TransactionReceipt topUp(ChannelParams channel, BigInteger amount) {
        requireAmount(amount);
        approveIfShort(channel.token(), amount);
        return write("topUp", binding.topUp(channel.toStruct(), amount));
    }

    /** Redeems a voucher: pays the provider what it promises beyond what was redeemed (anyone may send it). */
    public TransactionReceipt redeem(ChannelParams channel, Voucher voucher) {
        if (!voucher.channelId().equalsIgnoreCase(channel.id())) {
            throw ChainErrors.input("voucher for channel " + voucher.channelId() + " cannot be redeemed on channel " + channel.id());
        }
        return write("redeem", binding.redeem(channel.toStruct(), voucher.cumulativeAmount(), voucher.signature().toBytes()));
    }

    /** Starts the challenge window (this account must be the payer). */
    public TransactionReceipt requestClose(ChannelParams channel) {
        return write("requestClose", binding.requestClose(channel.toStruct()));
    }

    /** Ends the channel: the provider at any time, anyone else after the challenge window. */
    public TransactionReceipt settle(ChannelParams channel) {
        return write("settle", binding.settle(channel.toStruct()));
    }

    private void approveIfShort(Address token, BigInteger amount) {
        String owner = sender.address();
        Function allowance = new Function("allowance", List.<Type>of(new org.web3j.abi.datatypes.Address(owner),
                new org.web3j.abi.datatypes.Address(address)), List.of(new TypeReference<Uint256>() {}));
        String raw = sender.call(TxRequest.call("ERC20", "allowance", token.lowercaseHex(), FunctionEncoder.encode(allowance)));
        List<Type> decoded = FunctionReturnDecoder.decode(raw, allowance.getOutputParameters());
        if (decoded.isEmpty()) {
            throw ChainErrors.chain("token " + token + " answered allowance() with nothing: is it an ERC-20?");
        }
        if (((Uint256) decoded.getFirst()).getValue().compareTo(amount) < 0) {
            Function approve = new Function("approve", List.<Type>of(new org.web3j.abi.datatypes.Address(address),
                    new Uint256(amount)), List.of());
            sender.send(TxRequest.call("ERC20", "approve", token.lowercaseHex(), FunctionEncoder.encode(approve)));
        }
    }

    private TransactionReceipt write(String function, RemoteFunctionCall<TransactionReceipt> call) {
        return sender.send(TxRequest.call(NAME, function, address, call.encodeFunctionCall()));
    }

    private static void requireAmount(BigInteger amount) {
        if (amount == null || amount.signum() <= 0 || amount.bitLength() > 96) {
            throw ChainErrors.input("channel amount must be between 1 and 2^96-1 token units, was " + amount);
        }
    }

    private static <T> T read(String what, Callable<T> call) {
        try {
            return call.call();
        } catch (ChainException e) {
            throw e;
        } catch (Exception e) {
            throw ChainErrors.chain(NAME + "." + what + " failed: " + e.getMessage(), e);
        }
    }
}
