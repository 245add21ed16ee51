package dev.hypha.chain.channels;

import dev.hypha.chain.ChainErrors;
import dev.hypha.core.crypto.Address;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * A channel's fixed parameters, as the PaymentChannels contract takes them in every call; its id is the keccak-256
 * of their ABI encoding (five 32-byte words), computed here exactly as the contract does.
 *
 * @param payer    deposits and gets the rest back
 * @param provider is paid by vouchers
 * @param token    the ERC-20 paid in
 * @param signer   the key whose vouchers count (the payer, or a key it delegates to)
 * @param salt     0x + 64 hex digits, so one payer can hold several channels to one provider
 */
public record ChannelParams(Address payer, Address provider, Address token, Address signer, String salt) {
    private static final Pattern BYTES32 = Pattern.compile("0x[0-9a-f]{64}");

    public ChannelParams {
        Objects.requireNonNull(payer, "payer");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(signer, "signer");
        salt = Objects.requireNonNull(salt, "salt").toLowerCase(Locale.ROOT);
        if (!BYTES32.matcher(salt).matches()) {
            throw ChainErrors.input("channel salt '" + salt + "' is not 0x followed by 64 hex digits");
        }
    }

    /** A salt from a small number (0, 1, 2...), the usual way to number a payer's channels to one provider. */
    public static String salt(long n) {
        if (n < 0) {
            throw ChainErrors.input("channel number must be >= 0, was " + n);
        }
        return Numeric.toHexStringWithPrefixZeroPadded(java.math.BigInteger.valueOf(n), 64);
    }

    /** The channel id: keccak256(abi.encode(payer, provider, token, signer, salt)), lower-case 0x hex. */
    public String id() {
        byte[] encoded = new byte[5 * 32];
        word(encoded, 0, payer.bytes());
        word(encoded, 1, provider.bytes());
        word(encoded, 2, token.bytes());
        word(encoded, 3, signer.bytes());
        System.arraycopy(Numeric.hexStringToByteArray(salt), 0, encoded, 4 * 32, 32);
        return Numeric.toHexString(Hash.sha3(encoded));
    }

    private static void word(byte[] out, int index, byte[] address) {
        System.arraycopy(address, 0, out, index * 32 + 32 - address.length, address.length);
    }
}
