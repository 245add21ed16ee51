package dev.hypha.node.verify.opml;

import dev.hypha.ml.opml.IntLm;
import java.util.Locale;

/**
 * DEVELOPMENT AND TEST ONLY: how a deliberately dishonest provider of a verifiable model computes its answers
 * ({@code hypha provider start --opml MODEL --dev-cheat truncated}, {@code hypha localnet --opml-cheater}, refused on
 * any chain but the local one), so challenges, bisection and slashing can be seen end to end. The cheater commits the
 * trace of what it really ran and defends it in the dispute from the same computation, as a real cheater would, and
 * loses on the merits (the contract recomputes the one disputed operation), not by silence.
 */
public enum OpmlCheat {
    /** Honest. */
    NONE,
    /** Skips the second block's feed-forward work (MM1, RELU, MM2 give zeros) to save compute. */
    TRUNCATED;

    /** The model a provider cheating this way runs when it claims {@code claimed}. */
    public IntLm runs(IntLm claimed) {
        return this == TRUNCATED ? IntLm.truncated(claimed.weights(), 1) : claimed;
    }

    /** The cheat named {@code text} ("truncated"), or an error naming the choices. */
    public static OpmlCheat parse(String text) {
        if ("truncated".equals(text.strip().toLowerCase(Locale.ROOT))) {
            return TRUNCATED;
        }
        throw new IllegalArgumentException("unknown opML cheat '" + text + "' (there is: truncated)");
    }
}
