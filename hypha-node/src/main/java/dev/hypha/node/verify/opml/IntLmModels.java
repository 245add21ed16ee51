package dev.hypha.node.verify.opml;

import dev.hypha.ml.opml.IntLm;
import dev.hypha.ml.opml.IntLmWeights;
import java.util.Optional;

/**
 * The verifiable models a node can serve and replay by name: {@code intlm-SEED} is the {@link IntLm} decoder with the
 * weights {@link IntLmWeights#random} draws from SEED (0..2^31-1), the same on every machine, so a provider and a
 * challenger that name it run the same model and agree on its weight root (its id in receipts, offers and disputes).
 * Ollama's {@code :latest} tag is accepted and ignored, since gateways add it.
 */
public final class IntLmModels {
    /** Every verifiable model's name starts with this. */
    public static final String PREFIX = "intlm-";

    private IntLmModels() {}

    /** {@code name} without a {@code :latest} tag. */
    public static String untagged(String name) {
        return name.endsWith(":latest") ? name.substring(0, name.length() - ":latest".length()) : name;
    }

    /** Whether {@code name} (tag or not) names a verifiable model. */
    public static boolean isVerifiable(String name) {
        return untagged(name).startsWith(PREFIX);
    }

    /** The model {@code name} names, or empty when it names none (not {@code intlm-SEED}, or a bad seed). */
    public static Optional<IntLm> named(String name) {
        String n = untagged(name);
        if (!n.startsWith(PREFIX) || !n.substring(PREFIX.length()).matches("0|[1-9][0-9]{0,9}")) {
            return Optional.empty();
        }
        long seed = Long.parseLong(n.substring(PREFIX.length()));
        return seed > Integer.MAX_VALUE ? Optional.empty() : Optional.of(new IntLm(IntLmWeights.random(seed)));
    }

    /** The model {@code name} names, or an error saying what a name looks like. */
    public static IntLm parse(String name) {
        return named(name).orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a verifiable model "
                + "name: expected " + PREFIX + "SEED with SEED 0.." + Integer.MAX_VALUE + " (e.g. " + PREFIX + "11)"));
    }
}
