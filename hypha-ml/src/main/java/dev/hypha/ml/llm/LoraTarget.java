package dev.hypha.ml.llm;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The projections of a llama block that a LoRA adapter can adapt, with the GGUF tensor name each one adapts
 * ({@code blk.N.<tensor>.weight}). The short names are peft's {@code target_modules} for llama (q_proj ... down_proj),
 * shortened.
 */
public enum LoraTarget {
    Q("q", "attn_q"),
    K("k", "attn_k"),
    V("v", "attn_v"),
    O("o", "attn_output"),
    GATE("gate", "ffn_gate"),
    UP("up", "ffn_up"),
    DOWN("down", "ffn_down");

    private final String shortName;
    private final String tensor;

    LoraTarget(String shortName, String tensor) {
        this.shortName = shortName;
        this.tensor = tensor;
    }

    public String shortName() {
        return shortName;
    }

    /** The GGUF name of the weight this target adapts in block {@code layer}. */
    public String weightName(int layer) {
        return "blk." + layer + "." + tensor + ".weight";
    }

    /** The target and layer of a GGUF weight name such as {@code blk.3.attn_q.weight}, if it is one of the seven. */
    public static Optional<Located> locate(String weightName) {
        if (!weightName.startsWith("blk.") || !weightName.endsWith(".weight")) {
            return Optional.empty();
        }
        String middle = weightName.substring(4, weightName.length() - 7);
        int dot = middle.indexOf('.');
        if (dot <= 0 || dot > 6) {
            return Optional.empty();
        }
        int layer;
        try {
            layer = Integer.parseInt(middle.substring(0, dot));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String name = middle.substring(dot + 1);
        for (LoraTarget t : values()) {
            if (t.tensor.equals(name) && layer >= 0 && Integer.toString(layer).equals(middle.substring(0, dot))) {
                return Optional.of(new Located(t, layer));
            }
        }
        return Optional.empty();
    }

    /** A target in one block. */
    public record Located(LoraTarget target, int layer) {}

    /**
     * Parses a comma-separated list of short names ({@code q,v}), or {@code all} for the seven projections (peft's
     * "all-linear" without the output layer).
     */
    public static Set<LoraTarget> parse(String list) {
        String s = list.strip().toLowerCase(Locale.ROOT);
        if (s.equals("all")) {
            return EnumSet.allOf(LoraTarget.class);
        }
        Set<LoraTarget> out = EnumSet.noneOf(LoraTarget.class);
        for (String part : s.split(",")) {
            String p = part.strip();
            LoraTarget found = null;
            for (LoraTarget t : values()) {
                if (t.shortName.equals(p)) {
                    found = t;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown LoRA target '" + part.strip() + "'; use a comma-separated list of "
                        + "q, k, v, o, gate, up, down, or all");
            }
            out.add(found);
        }
        return out;
    }

    /** The short names joined by commas, in declaration order ({@code q,v}). */
    public static String format(Set<LoraTarget> targets) {
        return String.join(",", targets.stream().sorted().map(LoraTarget::shortName).toList());
    }
}
