package dev.hypha.chain.coordinator;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Checks of the 0x + 64 hex strings the coordinator's hashes and digests travel as. */
final class Bytes32 {
    private static final Pattern HEX = Pattern.compile("0x[0-9a-f]{64}");

    private Bytes32() {}

    /** {@code value} in lower case, or an error naming {@code field} when it is not 0x + 64 hex digits. */
    static String check(String field, String value) {
        String v = Objects.requireNonNull(value, field).toLowerCase(Locale.ROOT);
        if (!HEX.matcher(v).matches()) {
            throw new IllegalArgumentException(field + " must be 0x + 64 hex digits, was '" + abbreviate(value) + "'");
        }
        return v;
    }

    /** Hostile values can be long: error messages show at most 80 characters of them. */
    static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
