package dev.hypha.chain.coordinator;

/** What the bytes of an input or output are, as the contract's INLINE and CONTENT_ID constants say. */
public enum DataKind {
    /** The bytes themselves (UTF-8 text for language models), at most {@link #MAX_INLINE} bytes. */
    INLINE,
    /** A content id (CIDv1 string) of the bytes, at most {@link #MAX_CONTENT_ID} bytes. */
    CONTENT_ID;

    /** The contract's MAX_DATA_LENGTH. */
    public static final int MAX_INLINE = 8192;
    /** The contract's MAX_CID_LENGTH. */
    public static final int MAX_CONTENT_ID = 128;

    /** The kind the contract encodes as {@code code}. */
    public static DataKind of(int code) {
        return switch (code) {
            case 0 -> INLINE;
            case 1 -> CONTENT_ID;
            default -> throw new IllegalArgumentException("unknown data kind " + code + " (0 inline, 1 content id)");
        };
    }

    /** The code the contract uses. */
    public int code() {
        return ordinal();
    }

    /** The most bytes data of this kind may have. */
    public int maxLength() {
        return this == INLINE ? MAX_INLINE : MAX_CONTENT_ID;
    }
}
