package dev.hypha.ml.opml;

/**
 * What one trace leaf is and what recomputing it reads: up to two earlier leaves and, for the matrix products and
 * EMBED, one weight row (which row depends on the element being checked). Mirrors {@code OpmlVerifier._recompute}.
 *
 * @param kind the operation
 * @param position the token position
 * @param slot 0 input, 1..L the blocks, L + 1 the head
 * @param inputA leaf index of the first input, -1 when none
 * @param inputB leaf index of the second input, -1 when none
 */
public record Operation(Kind kind, int position, int slot, long inputA, long inputB) {

    public enum Kind { PAD, EMBED, NORM, MIX, AVG, MM1, RELU, MM2, ADD, LOGITS, SAMPLE }

    /** The operation at leaf {@code index} of a trace of {@code positions} positions. */
    public static Operation at(long index, int positions) {
        int op = (int) (index % IntLm.OPS);
        int slot = (int) ((index / IntLm.OPS) % IntLm.SLOTS);
        int pos = Math.toIntExact(index / IntLm.LEAVES_PER_POSITION);
        if (pos >= positions) {
            return new Operation(Kind.PAD, pos, slot, -1, -1);
        }
        if (slot == 0) {
            return new Operation(op == 0 ? Kind.EMBED : Kind.PAD, pos, slot, -1, -1);
        }
        long x = slot == 1 ? leaf(pos, 0, 0) : leaf(pos, slot - 1, 6);
        if (slot <= IntLm.L) {
            return switch (op) {
                case 0 -> new Operation(Kind.NORM, pos, slot, x, -1);
                case 1 -> new Operation(Kind.MIX, pos, slot, leaf(pos, slot, 0), pos > 0 ? leaf(pos - 1, slot, 1) : -1);
                case 2 -> new Operation(Kind.AVG, pos, slot, leaf(pos, slot, 1), -1);
                case 3 -> new Operation(Kind.MM1, pos, slot, leaf(pos, slot, 2), -1);
                case 4 -> new Operation(Kind.RELU, pos, slot, leaf(pos, slot, 3), -1);
                case 5 -> new Operation(Kind.MM2, pos, slot, leaf(pos, slot, 4), -1);
                case 6 -> new Operation(Kind.ADD, pos, slot, x, leaf(pos, slot, 5));
                default -> new Operation(Kind.PAD, pos, slot, -1, -1);
            };
        }
        return switch (op) {
            case 0 -> new Operation(Kind.NORM, pos, slot, x, -1);
            case 1 -> new Operation(Kind.LOGITS, pos, slot, leaf(pos, slot, 0), -1);
            case 2 -> new Operation(Kind.SAMPLE, pos, slot, leaf(pos, slot, 1), -1);
            default -> new Operation(Kind.PAD, pos, slot, -1, -1);
        };
    }

    public static long leaf(int pos, int slot, int op) {
        return ((long) pos * IntLm.SLOTS + slot) * IntLm.OPS + op;
    }

    /**
     * The weight row recomputing element {@code element} reads (-1 when none); {@code token} is the position's token
     * (only EMBED uses it).
     */
    public int weightRow(int element, int token) {
        return switch (kind) {
            case EMBED -> IntLmWeights.embRow(token);
            case MM1 -> IntLmWeights.w1Row(slot - 1, element);
            case MM2 -> IntLmWeights.w2Row(slot - 1, element);
            case LOGITS -> IntLmWeights.headRow(element);
            default -> -1;
        };
    }

    /** Bytes per element of the output (MIX holds int32s). */
    public int elementWidth() {
        return kind == Kind.MIX ? 4 : 1;
    }
}
