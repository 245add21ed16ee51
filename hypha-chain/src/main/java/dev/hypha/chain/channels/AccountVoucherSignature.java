package dev.hypha.chain.channels;

import java.nio.charset.StandardCharsets;
import org.web3j.crypto.Hash;

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
        byte[] key = voucher.signature().toBytes();
        // 8 head words (magic, the static 5-word channel tuple, amount, offset of the bytes), then length and data.
        byte[] out = new byte[10 * 32 + 96];
        System.arraycopy(MAGIC, 0, out, 0, 32);
        address(out, 1, channel.payer().bytes());
        address(out, 2, channel.provider().bytes());
        address(out, 3, channel.token().bytes());
        address(out, 4, channel.signer().bytes());
        System.arraycopy(org.web3j.utils.Numeric.hexStringToByteArray(channel.salt()), 0, out, 5 * 32, 32);
        uint(out, 6, voucher.cumulativeAmount().toByteArray());
        uint(out, 7, java.math.BigInteger.valueOf(8 * 32).toByteArray());
        uint(out, 8, java.math.BigInteger.valueOf(key.length).toByteArray());
        System.arraycopy(key, 0, out, 9 * 32, key.length);
        return out;
    }

    private static void address(byte[] out, int word, byte[] address) {
        System.arraycopy(address, 0, out, word * 32 + 32 - address.length, address.length);
    }

    private static void uint(byte[] out, int word, byte[] bigEndian) {
        // BigInteger.toByteArray may carry a leading sign byte; amounts fit 256 bits (Voucher is non-negative)
        int skip = bigEndian.length > 32 ? bigEndian.length - 32 : 0;
        int n = bigEndian.length - skip;
        System.arraycopy(bigEndian, skip, out, word * 32 + 32 - n, n);
    }
}
