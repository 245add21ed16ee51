package dev.hypha.ml.quant;

import dev.hypha.ml.tensor.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * llama.cpp's {@code llama_ftype} values that {@link ModelQuantizer} writes: the number stored as {@code general.file_type}
 * and the type most weight matrices get ({@code llama_ftype_get_default_type}). The K mixes (Q3_K_S/M/L, Q4_K_S/M,
 * Q5_K_S/M, Q2_K) give some tensors more bits by {@link TensorTypeRules}. Importance-matrix-only mixes (IQ1-IQ3,
 * Q2_K_S) are not offered: they need an imatrix this engine cannot compute yet.
 */
public enum FileType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K),
    IQ4_NL(25, GgmlType.IQ4_NL),
    IQ4_XS(30, GgmlType.IQ4_XS),
    BF16(32, GgmlType.BF16),
    MXFP4_MOE(38, GgmlType.MXFP4);

    private final int id;
    private final GgmlType defaultType;

    FileType(int id, GgmlType defaultType) {
        this.id = id;
        this.defaultType = defaultType;
    }

    /** The {@code general.file_type} value. */
    public int id() {
        return id;
    }

    /** The type weight matrices get unless a rule of the mix says otherwise. */
    public GgmlType defaultType() {
        return defaultType;
    }

    /**
     * The file type named {@code name}, case-insensitive, with llama-quantize's shorthands: Q3_K, Q4_K and Q5_K mean
     * their _M mixes, MXFP4 means MXFP4_MOE.
     *
     * @throws IllegalArgumentException naming the valid types
     */
    public static FileType parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        switch (n) {
            case "Q3_K" -> n = "Q3_K_M";
            case "Q4_K" -> n = "Q4_K_M";
            case "Q5_K" -> n = "Q5_K_M";
            case "MXFP4" -> n = "MXFP4_MOE";
            default -> { }
        }
        for (FileType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown quantization type '" + name + "'; expected one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
