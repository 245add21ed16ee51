package dev.hypha.zk.lookup;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProofCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical bytes of a {@link LogUpProof} whose shape (2^n values into [0, 2^bits)) the verifier knows: per tree the
 * two roots, then per layer k its sumcheck (k rounds of degree 3) and the four children values; no lengths, values
 * checked canonical on reading (one encoding per proof, as {@link SumcheckProofCodec}).
 */
public final class LogUpProofCodec {
    private LogUpProofCodec() {}

    public static long size(int n, int bits) {
        return treeSize(n) + treeSize(bits);
    }

    private static long treeSize(int vars) {
        long size = 32;
        for (int k = 0; k < vars; k++) {
            size += SumcheckProofCodec.size(k, 3) + 4 * 16;
        }
        return size;
    }

    public static void write(LogUpProof proof, ByteBuffer out) {
        write(proof.column(), out);
        write(proof.table(), out);
    }

    private static void write(FractionSumProof p, ByteBuffer out) {
        ext(out, p.rootP(), p.rootQ());
        for (FractionSumProof.Layer layer : p.layers()) {
            SumcheckProofCodec.write(layer.sumcheck(), out);
            ext(out, layer.children());
        }
    }

    /** @throws IllegalArgumentException on a non-canonical value or too few bytes */
    public static LogUpProof read(ByteBuffer in, int n, int bits) {
        if (in.remaining() < size(n, bits)) {
            throw new IllegalArgumentException("a lookup of 2^" + n + " values into 2^" + bits + " needs " + size(n, bits)
                    + " bytes, " + in.remaining() + " remain");
        }
        return new LogUpProof(read(in, n), read(in, bits));
    }

    private static FractionSumProof read(ByteBuffer in, int vars) {
        Ext2 p = SumcheckProofCodec.readExt(in);
        Ext2 q = SumcheckProofCodec.readExt(in);
        List<FractionSumProof.Layer> layers = new ArrayList<>(vars);
        for (int k = 0; k < vars; k++) {
            SumcheckProof sc = SumcheckProofCodec.read(in, k, 3);
            Ext2[] children = new Ext2[4];
            for (int i = 0; i < 4; i++) {
                children[i] = SumcheckProofCodec.readExt(in);
            }
            layers.add(new FractionSumProof.Layer(sc, children));
        }
        return new FractionSumProof(p, q, layers);
    }

    private static void ext(ByteBuffer out, Ext2... values) {
        for (Ext2 v : values) {
            out.putLong(v.c0()).putLong(v.c1());
        }
    }
}
