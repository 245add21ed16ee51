package dev.hypha.ml.train.verify;

import dev.hypha.core.crypto.Hashes;
import java.nio.ByteBuffer;

/**
 * Which committed segments a verifier re-executes: segment {@code i} (from commitment i - 1 to commitment i) is
 * audited when keccak256(beacon ‖ verifier ‖ lease ‖ i), read as an unsigned 256-bit number, falls below
 * rate × 2^256. The beacon is on-chain randomness the provider cannot know when it commits (a later block's hash), and
 * the verifier's address makes each verifier's choice independent, so a provider cannot guess which segments will be
 * checked. Every wrong segment is caught when audited (re-execution is bit-exact), so a cheat that touches m segments
 * escapes one verifier with probability (1 - rate)^m and v independent verifiers with (1 - rate)^(m·v).
 */
public final class SegmentSampler {
    private final byte[] beacon;
    private final byte[] verifier;
    private final long lease;
    private final int ratePerMille;

    /**
     * @param beacon 32 bytes of on-chain randomness
     * @param verifier the verifier's 20-byte address
     * @param lease the lease (order) id
     * @param ratePerMille audit probability in thousandths, 1..1000
     */
    public SegmentSampler(byte[] beacon, byte[] verifier, long lease, int ratePerMille) {
        if (beacon.length != 32 || verifier.length != 20) {
            throw new IllegalArgumentException("the beacon has 32 bytes and the verifier 20, got " + beacon.length + " and "
                    + verifier.length);
        }
        if (ratePerMille < 1 || ratePerMille > 1000) {
            throw new IllegalArgumentException("the audit rate is 1..1000 per mille, got " + ratePerMille);
        }
        this.beacon = beacon.clone();
        this.verifier = verifier.clone();
        this.lease = lease;
        this.ratePerMille = ratePerMille;
    }

    /** Whether segment {@code index} (1-based: segment i ends at commitment i) is audited. */
    public boolean audits(long index) {
        byte[] h = Hashes.keccak256(ByteBuffer.allocate(32 + 20 + 8 + 8).put(beacon).put(verifier).putLong(lease).putLong(index)
                .array());
        // the top 32 bits as an unsigned fraction of 2^32: exact integer comparison, no floating point
        long top = ByteBuffer.wrap(h).getInt() & 0xffffffffL;
        return top * 1000 < (long) ratePerMille << 32;
    }

    public int ratePerMille() {
        return ratePerMille;
    }
}
