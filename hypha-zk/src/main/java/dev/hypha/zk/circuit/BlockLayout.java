package dev.hypha.zk.circuit;

import dev.hypha.zk.field.Ext2;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Several tables of power-of-two sizes packed into one table of 2^numVars entries, so that one commitment (and one
 * opening) covers them all. Blocks are placed largest first at consecutive offsets; each offset is then a multiple of
 * its block's size, so a block is exactly the sub-cube where the top numVars − b variables equal the offset's top bits.
 * A claim f_block(p) is therefore the claim f(prefix ‖ p) on the whole table, with prefix the block's fixed 0/1
 * coordinates — no extra argument needed to move between a block and the whole.
 */
public final class BlockLayout {
    private final int[] blockVars;
    private final long[] offsets;
    private final int numVars;
    private final long used;

    public BlockLayout(int... blockVars) {
        this.blockVars = blockVars.clone();
        this.offsets = new long[blockVars.length];
        Integer[] order = IntStream.range(0, blockVars.length).boxed().toArray(Integer[]::new);
        // largest first; equal sizes keep their given order, so the layout is a function of the list alone
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -blockVars[i]).thenComparingInt(i -> i));
        long next = 0;
        for (int i : order) {
            if (blockVars[i] < 0 || blockVars[i] > 40) {
                throw new IllegalArgumentException("block " + i + " has " + blockVars[i] + " variables");
            }
            offsets[i] = next;
            next += 1L << blockVars[i];
        }
        int vars = 0;
        while ((1L << vars) < next) {
            vars++;
        }
        this.numVars = vars;
        this.used = next;
    }

    /** Entries covered by blocks (the rest, up to {@link #size()}, is zero padding): the end of the last block. */
    public long used() {
        return used;
    }

    public int numVars() {
        return numVars;
    }

    public long size() {
        return 1L << numVars;
    }

    public int blockVars(int block) {
        return blockVars[block];
    }

    public long offset(int block) {
        return offsets[block];
    }

    /** The point of the whole table that is {@code local} inside {@code block}. */
    public Ext2[] point(int block, Ext2[] local) {
        int b = blockVars[block];
        if (local.length != b) {
            throw new IllegalArgumentException("block " + block + " has " + b + " variables, got a point with "
                    + local.length);
        }
        int top = numVars - b;
        Ext2[] p = new Ext2[numVars];
        long prefix = offsets[block] >>> b;
        for (int i = 0; i < top; i++) {
            p[i] = ((prefix >>> (top - 1 - i)) & 1) == 1 ? Ext2.ONE : Ext2.ZERO;
        }
        System.arraycopy(local, 0, p, top, b);
        return p;
    }

    /** Copies a block's values (2^b field elements) into the whole table. */
    public void place(long[] table, int block, long[] values) {
        if (values.length != 1L << blockVars[block]) {
            throw new IllegalArgumentException("block " + block + " holds " + (1L << blockVars[block]) + " values, got "
                    + values.length);
        }
        System.arraycopy(values, 0, table, Math.toIntExact(offsets[block]), values.length);
    }
}
