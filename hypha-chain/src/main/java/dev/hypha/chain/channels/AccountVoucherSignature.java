package dev.hypha.chain.channels;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The ERC-1271 signature an AgentAccount accepts for a voucher its session key signed, on a channel where the account
 * is both payer and signer: {@code abi.encode(VOUCHER_SIGNATURE_MAGIC, channel, cumulativeAmount, keySignature)}, as
 * {@code AgentAccount.isValidSignature} decodes it. The key signs the plain EIP-712 voucher ({@link VoucherDomain});
 * everything else in the envelope is the channel and amount the voucher already names, so the payer sends only the
 * key's 65 bytes and whoever checks or redeems the voucher builds the envelope (one form on the wire for every channel).
 */
public final class AccountVoucherSignature {
    /** {@code keccak256("hypha.AgentAccount.voucher")}, the envelope's first word. */
    public static final byte[] MAGIC = Hash.sha3("hypha.AgentAccount.voucher".getBytes(StandardCharsets.UTF_8));

    private AccountVoucherSignature() {}

    /** The envelope of {@code voucher} (signed by a session key) on {@code channel}. */
    public static byte[] envelope(ChannelParams channel, Voucher voucher) {
        if (!voucher.channelId().equalsIgnoreCase(channel.id())) {
            throw new IllegalArgumentException("voucher for channel " + voucher.channelId() + " is not on " + channel.id());
        }
        // PaymentChannels.Channel is a static tuple (payer, provider, token, signer, salt): encoded in place.
        StaticStruct tuple = new StaticStruct(new Address(channel.payer().lowercaseHex()),
                new Address(channel.provider().lowercaseHex()), new Address(channel.token().lowercaseHex()),
                new Address(channel.signer().lowercaseHex()), new Bytes32(Numeric.hexStringToByteArray(channel.salt())));
        return Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor(List.of(new Bytes32(MAGIC), tuple,
                new Uint256(voucher.cumulativeAmount()), new DynamicBytes(voucher.signature().toBytes()))));
    }
}
