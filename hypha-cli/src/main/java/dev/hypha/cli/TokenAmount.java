package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A positive token amount typed by a person as a decimal ({@code 1000}, {@code 0.5}, {@code 1_000.25} is not
 * accepted), converted exactly to the token's base units (wei for HYP's 18 decimals). Written here rather than with
 * {@code BigDecimal(String)} alone because that also accepts exponents, signs and more decimals than the token has,
 * each of which must be refused with its own clear message.
 *
 * @param baseUnits the amount in the token's smallest unit; always in 1..2^256-1
 * @param decimals  the token's decimals
 */
public record TokenAmount(BigInteger baseUnits, int decimals) {

    /** HYP, the staking token, has 18 decimals. */
    public static final int HYP_DECIMALS = 18;

    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?");
    private static final int MAX_TEXT_LENGTH = 100;

    public TokenAmount {
        Objects.requireNonNull(baseUnits, "baseUnits");
        if (baseUnits.signum() <= 0 || baseUnits.compareTo(UINT256_MAX) > 0) {
            throw new IllegalArgumentException("amount out of range 1..2^256-1: " + baseUnits);
        }
    }

    /**
     * Parses a decimal amount of a token with {@code decimals} decimals.
     *
     * @param what what the amount is for, used in error messages (e.g. "stake amount")
     * @throws HyphaException (INPUT) for anything but a plain positive decimal that fits a uint256 exactly
     */
    public static TokenAmount parse(String text, int decimals, String what) {
        if (decimals < 0 || decimals > 77) {
            throw new IllegalArgumentException("decimals must be 0..77, got " + decimals);
        }
        if (text == null || text.isBlank()) {
            throw HyphaException.input(what + " is empty: expected a decimal number such as 1000 or 0.5");
        }
        String trimmed = text.strip();
        String shown = printable(trimmed);
        if (trimmed.length() > MAX_TEXT_LENGTH) {
            throw HyphaException.input(what + " is too long (" + trimmed.length() + " characters): expected a decimal number");
        }
        if (trimmed.startsWith("-")) {
            throw HyphaException.input(what + " '" + shown + "' is negative: amount must be > 0");
        }
        if (!DECIMAL.matcher(trimmed).matches()) {
            throw HyphaException.input(what + " '" + shown + "' is not a decimal number (expected digits with an "
                    + "optional '.' and up to " + decimals + " decimal places, e.g. 1000 or 0.5)");
        }
        BigDecimal value = new BigDecimal(trimmed);
        int places = Math.max(0, value.stripTrailingZeros().scale());
        if (places > decimals) {
            throw HyphaException.input(what + " '" + shown + "' has " + places + " decimal places; the token has only "
                    + decimals);
        }
        BigInteger units = value.movePointRight(decimals).toBigIntegerExact();
        if (units.signum() == 0) {
            throw HyphaException.input(what + " is zero: amount must be > 0");
        }
        if (units.compareTo(UINT256_MAX) > 0) {
            throw HyphaException.input(what + " '" + shown + "' is too large: it does not fit in a uint256 ("
                    + format(UINT256_MAX, decimals) + " at most)");
        }
        return new TokenAmount(units, decimals);
    }

    /** Parses an amount of HYP (18 decimals). */
    public static TokenAmount hyp(String text, String what) {
        return parse(text, HYP_DECIMALS, what);
    }

    /** Formats base units as a plain decimal without trailing zeros ({@code 1500000000000000000} -> {@code 1.5}). */
    public static String format(BigInteger baseUnits, int decimals) {
        BigDecimal value = new BigDecimal(baseUnits, decimals).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0).toPlainString() : value.toPlainString();
    }

    /** The text as it may appear in a one-line error: control characters escaped, so the message stays one line. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.LINE_SEPARATOR
                    || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return format(baseUnits, decimals);
    }
}
