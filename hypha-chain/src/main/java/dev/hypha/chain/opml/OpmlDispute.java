package dev.hypha.chain.opml;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Arrays;
import org.web3j.utils.Numeric;

/**
 * A dispute as {@code OpmlVerifier.getDispute} returns it (the fields the players need). {@code providerNode} and
 * {@code challengerNode} are each side's node at ({@code level}, {@code nodeIndex}); at the bottom, their leaves.
 */
public record OpmlDispute(Address provider, Address challenger, byte[] receiptDigest, byte[] modelRoot,
        byte[] providerRoot, byte[] challengerRoot, long seed, int promptLength, int positions, Phase phase,
        Outcome outcome, int depth, int level, long nodeIndex, long deadline, byte[] providerNode,
        byte[] challengerNode, boolean providerMoved, boolean challengerMoved, BigInteger bond) {

    public enum Phase { NONE, DESCEND, REVEAL, RESOLVE, RESOLVED }

    public enum Outcome { NONE, PROVIDER_WON, CHALLENGER_WON, BOTH_WRONG }

    /** Decodes the 25-word static tuple of {@code getDispute}. */
    public static OpmlDispute decode(String hex) {
        byte[] raw = Numeric.hexStringToByteArray(hex);
        if (raw.length != 25 * 32) {
            throw new IllegalArgumentException("getDispute returned " + raw.length + " bytes, expected " + 25 * 32);
        }
        return new OpmlDispute(address(raw, 0), address(raw, 1), word(raw, 2), word(raw, 3), word(raw, 5), word(raw, 6),
                num(raw, 7).longValue(), num(raw, 8).intValueExact(), num(raw, 9).intValueExact(),
                Phase.values()[num(raw, 10).intValueExact()], Outcome.values()[num(raw, 11).intValueExact()],
                num(raw, 12).intValueExact(), num(raw, 13).intValueExact(), num(raw, 14).longValueExact(),
                num(raw, 15).longValueExact(), word(raw, 16), word(raw, 17), num(raw, 18).signum() != 0,
                num(raw, 19).signum() != 0, num(raw, 24));
    }

    private static byte[] word(byte[] raw, int i) {
        return Arrays.copyOfRange(raw, 32 * i, 32 * i + 32);
    }

    private static BigInteger num(byte[] raw, int i) {
        return new BigInteger(1, word(raw, i));
    }

    private static Address address(byte[] raw, int i) {
        return Address.parse(Numeric.toHexString(Arrays.copyOfRange(raw, 32 * i + 12, 32 * i + 32)));
    }
}
