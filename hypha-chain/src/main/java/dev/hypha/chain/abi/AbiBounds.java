package dev.hypha.chain.abi;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that ABI-encoded data's offsets and lengths stay inside the data before web3j decodes it.
 *
 * <p>Why by hand: web3j trusts length words and pre-sizes its lists and buffers from them, so a
 * hostile node or contract can make a 100-byte revert or log claim a 2^60-element array and exhaust
 * the heap (found by this module's property tests). No library offers a bounds-only pass.
 */
final class AbiBounds {
    private static final Pattern FIXED_ARRAY = Pattern.compile("^(.*)\\[(\\d+)]$");
    private static final BigInteger MAX_INDEX = BigInteger.valueOf(Integer.MAX_VALUE);

    private AbiBounds() {}

    /** Whether {@code data} (no selector) can hold values of these types without reading past its end. */
    static boolean fits(List<String> types, byte[] data) {
        try {
            return sequence(types, data, 0);
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    private static boolean sequence(List<String> types, byte[] data, int base) {
        int pos = base;
        for (String t : types) {
            if (isDynamic(t)) {
                int offset = word(data, pos);
                if (offset < 0 || !value(t, data, Math.addExact(base, offset))) {
                    return false;
                }
            } else if (!value(t, data, pos)) {
                return false;
            }
            pos = Math.addExact(pos, headSize(t));
        }
        return true;
    }

    private static boolean value(String type, byte[] data, int start) {
        if (type.equals("string") || type.equals("bytes")) {
            int n = word(data, start);
            return n >= 0 && (long) start + 32 + n <= data.length;
        }
        if (type.endsWith("[]")) {
            String element = type.substring(0, type.length() - 2);
            int n = word(data, start);
            if (n < 0 || (long) start + 32 + (long) n * headSize(element) > data.length) {
                return false;
            }
            return sequence(java.util.Collections.nCopies(n, element), data, Math.addExact(start, 32));
        }
        Matcher fixed = FIXED_ARRAY.matcher(type);
        if (fixed.matches()) {
            int k = Integer.parseInt(fixed.group(2));
            return sequence(java.util.Collections.nCopies(k, fixed.group(1)), data, start);
        }
        return start >= 0 && (long) start + 32 <= data.length;
    }

    static boolean isDynamic(String type) {
        if (type.equals("string") || type.equals("bytes") || type.endsWith("[]")) {
            return true;
        }
        Matcher fixed = FIXED_ARRAY.matcher(type);
        return fixed.matches() && isDynamic(fixed.group(1));
    }

    private static int headSize(String type) {
        if (isDynamic(type)) {
            return 32;
        }
        Matcher fixed = FIXED_ARRAY.matcher(type);
        if (fixed.matches()) {
            return Math.multiplyExact(Integer.parseInt(fixed.group(2)), headSize(fixed.group(1)));
        }
        return 32;
    }

    /** The 32-byte word at {@code pos} as an int, or -1 if it is out of range or past the data. */
    private static int word(byte[] data, int pos) {
        if (pos < 0 || (long) pos + 32 > data.length) {
            return -1;
        }
        BigInteger v = new BigInteger(1, java.util.Arrays.copyOfRange(data, pos, pos + 32));
        return v.compareTo(MAX_INDEX) > 0 ? -1 : v.intValue();
    }
}
