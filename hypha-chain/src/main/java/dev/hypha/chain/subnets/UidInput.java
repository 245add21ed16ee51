package dev.hypha.chain.subnets;

import dev.hypha.chain.ChainErrors;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.utils.Numeric;

/**
 * One UID's frozen epoch input (YumaColumn.UidInput): what SubnetRegistry hashed when the epoch closed.
 *
 * @param stake validator stake in nano-HYP (1e9 wei)
 * @param commitBlock block of the commit its weights came from; -1 (u64 max) for none
 */
public record UidInput(String account, long stake, long registeredAt, long lastUpdate, long commitBlock, boolean permit,
        byte[] weightsHash) {
    private static final int WORDS = 7;

    public boolean hasWeights() {
        return !Arrays.equals(weightsHash, new byte[32]);
    }

    /** The tuple as the contract's ABI encodes it. */
    public StaticStruct toStruct() {
        return new StaticStruct(new Address(account), new Uint64(unsigned(stake)), new Uint64(unsigned(registeredAt)),
                new Uint64(unsigned(lastUpdate)), new Uint64(unsigned(commitBlock)), new Bool(permit),
                new Bytes32(weightsHash));
    }

    static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    /**
     * Decodes {@code abi.encode(UidInput[])} as the EpochInputs event carries it. Written by hand because the layout
     * of an array of static tuples is fixed (offset, length, then 7 words per tuple) and web3j's struct decoding needs
     * a generated class per tuple; every word is range-checked so a malformed log is refused, not misread.
     */
    public static List<UidInput> decodeArray(byte[] data) {
        if (data.length < 64 || data.length % 32 != 0) throw ChainErrors.chain("EpochInputs: " + data.length + " bytes is not an ABI array");
        BigInteger offset = word(data, 0);
        if (!offset.equals(BigInteger.valueOf(32))) throw ChainErrors.chain("EpochInputs: array offset " + offset + ", expected 32");
        BigInteger n = word(data, 1);
        if (n.compareTo(BigInteger.valueOf(256)) > 0 || data.length != 64 + n.intValueExact() * WORDS * 32) {
            throw ChainErrors.chain("EpochInputs: " + n + " entries do not fit " + data.length + " bytes");
        }
        List<UidInput> out = new ArrayList<>();
        for (int i = 0; i < n.intValueExact(); i++) {
            int base = 2 + i * WORDS;
            BigInteger account = word(data, base);
            if (account.bitLength() > 160) throw ChainErrors.chain("EpochInputs: entry " + i + " account is not an address");
            out.add(new UidInput(Numeric.toHexStringWithPrefixZeroPadded(account, 40), u64(data, base + 1, i),
                    u64(data, base + 2, i), u64(data, base + 3, i), u64(data, base + 4, i), word(data, base + 5).signum() != 0,
                    Arrays.copyOfRange(data, (base + 6) * 32, (base + 7) * 32)));
        }
        return out;
    }

    private static long u64(byte[] data, int index, int entry) {
        BigInteger v = word(data, index);
        if (v.bitLength() > 64) throw ChainErrors.chain("EpochInputs: entry " + entry + " has a value above u64: " + v);
        return v.longValue();
    }

    private static BigInteger word(byte[] data, int index) {
        return new BigInteger(1, Arrays.copyOfRange(data, index * 32, index * 32 + 32));
    }
}
