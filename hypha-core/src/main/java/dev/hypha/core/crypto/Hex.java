package dev.hypha.core.crypto;

import dev.hypha.core.errors.HyphaException;
import java.util.regex.Pattern;
import org.web3j.utils.Numeric;

/**
 * Hex text for byte strings, always 0x-prefixed and lower case on output. Decoding is strict (even length, hex digits
 * only) because web3j's {@link Numeric#hexStringToByteArray} silently accepts odd lengths and garbage characters.
 */
public final class Hex {
    private static final Pattern HEX_DIGITS = Pattern.compile("[0-9a-fA-F]*");

    private Hex() {}

    /** {@code 0x} followed by two lower-case hex digits per byte. */
    public static String encode(byte[] bytes) {
        return Numeric.toHexString(bytes);
    }

    /** Two lower-case hex digits per byte, no prefix. */
    public static String encodeNoPrefix(byte[] bytes) {
        return Numeric.toHexStringNoPrefix(bytes);
    }

    /**
     * Decodes hex text, with or without a 0x prefix.
     *
     * @throws HyphaException (INPUT) naming the text when it is not an even number of hex digits
     */
    public static byte[] decode(String text) {
        if (text == null) {
            throw HyphaException.input("missing hex value (expected 0x followed by hex digits)");
        }
        String digits = Numeric.cleanHexPrefix(text);
        if (digits.length() % 2 != 0 || !HEX_DIGITS.matcher(digits).matches()) {
            throw HyphaException.input("not a hex byte string: '" + abbreviate(text)
                    + "' (expected 0x followed by an even number of hex digits)");
        }
        return Numeric.hexStringToByteArray(digits);
    }

    /**
     * Decodes hex text that must hold exactly {@code length} bytes.
     *
     * @param what names the value in the error message, e.g. "private key"
     */
    public static byte[] decode(String text, int length, String what) {
        byte[] bytes = decode(text);
        if (bytes.length != length) {
            throw HyphaException.input(what + " must be " + length + " bytes (" + 2 * length
                    + " hex digits) but has " + bytes.length + " bytes");
        }
        return bytes;
    }

    /** Shortens long user input so an error message stays one readable line. */
    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
