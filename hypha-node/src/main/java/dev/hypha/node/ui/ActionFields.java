package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.regex.Pattern;

/** Reading an action's JSON fields, each refused (400) by name when missing or out of range. */
final class ActionFields {
    /** Smallest units of the payment token: the contracts take amounts below 2^96. */
    static final BigInteger MAX_UNITS = BigInteger.ONE.shiftLeft(96).subtract(BigInteger.ONE);
    private static final Pattern UNITS = Pattern.compile("[0-9]{1,29}");

    private ActionFields() {
    }

    /** The string field {@code field}. */
    static String text(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || !v.isTextual()) {
            throw new ActionRefused(400, "the request needs \"" + field + "\" as a string");
        }
        return v.asText();
    }

    /** The field {@code field} as a whole number of smallest units, 1..2^96-1 (a string, so no float rounds it). */
    static BigInteger units(JsonNode body, String field) {
        String text = text(body, field);
        if (!UNITS.matcher(text).matches()) {
            throw new ActionRefused(400, field + " must be a whole number of the token's smallest units, was '"
                    + (text.length() > 32 ? text.substring(0, 32) + "…" : text) + "'");
        }
        BigInteger v = new BigInteger(text);
        if (v.signum() == 0 || v.compareTo(MAX_UNITS) > 0) {
            throw new ActionRefused(400, field + " must be 1.." + MAX_UNITS + " smallest units, was " + v);
        }
        return v;
    }
}
