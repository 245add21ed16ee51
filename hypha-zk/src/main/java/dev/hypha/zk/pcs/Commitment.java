package dev.hypha.zk.pcs;

import java.util.HexFormat;

/** What the verifier holds of a committed polynomial: the Merkle root of the encoded columns, and the shape. */
public record Commitment(byte[] root, LigeroParams params) {
    public Commitment {
        if (root.length != 32) {
            throw new IllegalArgumentException("a commitment root has 32 bytes, got " + root.length);
        }
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Commitment c && java.util.Arrays.equals(root, c.root) && params.equals(c.params);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(root) * 31 + params.hashCode();
    }

    @Override
    public String toString() {
        return "Commitment[0x" + HexFormat.of().formatHex(root) + ", " + params + "]";
    }
}
