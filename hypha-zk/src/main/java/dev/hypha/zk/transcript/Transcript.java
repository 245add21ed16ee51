package dev.hypha.zk.transcript;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Fiat–Shamir transcript over Keccak-256, laid out so that a Solidity verifier replays it with
 * {@code keccak256(abi.encodePacked(...))}:
 *
 * <pre>
 *   start:      state = keccak256("hypha.zk.transcript.v1" ‖ domain)
 *   absorb:     state = keccak256(state ‖ 0x01 ‖ uint32(len label) ‖ label ‖ uint32(len data) ‖ data)
 *   squeeze:    out   = keccak256(state ‖ 0x02 ‖ uint32(len label) ‖ label);  state = out
 * </pre>
 *
 * Field elements are absorbed as 8-byte big-endian words (an extension element as c0 then c1), digests as their 32
 * bytes. Length prefixes and the 0x01/0x02 tags make every sequence of operations hash a distinct byte string (domain
 * separation between absorbing and squeezing, and between labels).
 *
 * <p>An extension challenge reads the 32-byte output as two unsigned 128-bit integers and reduces each modulo p
 * (rejection-free). Each coordinate's distribution is then within statistical distance p/2^128 < 2^−63 of uniform (every
 * residue has probability at most 1/p + 2^−128), which costs less than 2^−60 relative to the ideal bounds in docs/ZK.md.
 * Index challenges for a power-of-two domain take the low bits of 64-bit words: exactly uniform.
 *
 * <p>Not thread-safe: one transcript follows one proof.
 */
public final class Transcript {
    static final byte[] PROTOCOL = "hypha.zk.transcript.v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte ABSORB = 0x01;
    private static final byte SQUEEZE = 0x02;

    private byte[] state;

    /** A transcript bound to {@code domain} (which names the protocol and its version, e.g. "hypha.zk.sumcheck"). */
    public Transcript(String domain) {
        byte[] d = domain.getBytes(StandardCharsets.UTF_8);
        byte[] init = new byte[PROTOCOL.length + d.length];
        System.arraycopy(PROTOCOL, 0, init, 0, PROTOCOL.length);
        System.arraycopy(d, 0, init, PROTOCOL.length, d.length);
        state = Hashes.keccak256(init);
    }

    /** The current 32-byte state (a copy), e.g. to compare two parties' transcripts. */
    public byte[] state() {
        return state.clone();
    }

    /** Absorbs raw bytes under a label. */
    public void absorbBytes(String label, byte[] data) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 9 + l.length + data.length);
        out.writeBytes(state);
        out.write(ABSORB);
        writeInt(out, l.length);
        out.writeBytes(l);
        writeInt(out, data.length);
        out.writeBytes(data);
        state = Hashes.keccak256(out.toByteArray());
    }

    /** Absorbs a 32-byte digest (a Merkle root, a content hash). */
    public void absorbDigest(String label, byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a digest has 32 bytes, got " + digest.length);
        }
        absorbBytes(label, digest);
    }

    /** Absorbs base-field elements, 8 big-endian bytes each. */
    public void absorbFields(String label, long... values) {
        byte[] data = new byte[values.length * 8];
        for (int i = 0; i < values.length; i++) {
            putLong(data, i * 8, values[i]);
        }
        absorbBytes(label, data);
    }

    /** Absorbs extension elements, 16 bytes each (c0 then c1, big-endian). */
    public void absorbExt(String label, Ext2... values) {
        byte[] data = new byte[values.length * 16];
        for (int i = 0; i < values.length; i++) {
            putLong(data, i * 16, values[i].c0());
            putLong(data, i * 16 + 8, values[i].c1());
        }
        absorbBytes(label, data);
    }

    /** A 32-byte squeeze; the state moves to it, so the next squeeze differs. */
    public byte[] challengeBytes(String label) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 5 + l.length);
        out.writeBytes(state);
        out.write(SQUEEZE);
        writeInt(out, l.length);
        out.writeBytes(l);
        state = Hashes.keccak256(out.toByteArray());
        return state.clone();
    }

    /** An extension-field challenge: each 128-bit half of one squeeze reduced modulo p (bias stated above). */
    public Ext2 challengeExt(String label) {
        byte[] h = challengeBytes(label);
        long c0 = Goldilocks.reduce128(getLong(h, 0), getLong(h, 8));
        long c1 = Goldilocks.reduce128(getLong(h, 16), getLong(h, 24));
        return new Ext2(c0, c1);
    }

    /** {@code count} extension challenges, squeezed one after another under the same label. */
    public Ext2[] challengeExts(String label, int count) {
        Ext2[] out = new Ext2[count];
        for (int i = 0; i < count; i++) {
            out[i] = challengeExt(label);
        }
        return out;
    }

    /**
     * {@code count} uniform indices in [0, domainSize), domainSize a power of two: four per squeeze, each the low bits
     * of a big-endian 64-bit word (no bias, since domainSize divides 2^64). Repeats are possible (sampling with
     * replacement, as the soundness bound assumes).
     */
    public int[] challengeIndices(String label, int count, int domainSize) {
        if (domainSize <= 0 || Integer.bitCount(domainSize) != 1) {
            throw new IllegalArgumentException("index domain must be a power of two, got " + domainSize);
        }
        int[] out = new int[count];
        byte[] block = null;
        for (int i = 0; i < count; i++) {
            if (i % 4 == 0) {
                block = challengeBytes(label);
            }
            out[i] = (int) (getLong(block, (i % 4) * 8) & (domainSize - 1));
        }
        return out;
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
