package dev.hypha.core.crypto;

import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * A 20-byte Ethereum account or contract address. Held in lower case (so equal addresses are equal records) and
 * printed with the EIP-55 mixed-case checksum. User input goes through {@link #parse}, which also checks the checksum;
 * the constructor only checks the shape and lower-cases.
 *
 * @param lowercaseHex {@code 0x} followed by 40 hex digits (stored lower case)
 */
public record Address(String lowercaseHex) implements Comparable<Address> {
    private static final Pattern SHAPE = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** The all-zero address. */
    public static final Address ZERO = new Address("0x" + "0".repeat(40));

    public Address {
        if (lowercaseHex == null || !SHAPE.matcher(lowercaseHex).matches()) {
            throw notAnAddress(lowercaseHex);
        }
        lowercaseHex = lowercaseHex.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code 0x} + 40 hex digits. All-lower or all-upper case is accepted as is; mixed case must carry a valid
     * EIP-55 checksum, because a mixed-case address with a wrong checksum is almost always a typo.
     *
     * @throws HyphaException (INPUT) "not an Ethereum address: 'xyz' (expected 0x + 40 hex digits)"
     */
    public static Address parse(String text) {
        if (text == null || !SHAPE.matcher(text.strip()).matches()) {
            throw notAnAddress(text);
        }
        String trimmed = text.strip();
        String digits = trimmed.substring(2);
        Address address = new Address("0x" + digits.toLowerCase(Locale.ROOT));
        boolean mixedCase = !digits.equals(digits.toLowerCase(Locale.ROOT)) && !digits.equals(digits.toUpperCase(Locale.ROOT));
        if (mixedCase && !address.toChecksumString().substring(2).equals(digits)) {
            throw HyphaException.input("bad EIP-55 checksum in address '" + trimmed + "' (did you mean "
                    + address.toChecksumString() + "? check for a typo)");
        }
        return address;
    }

    /** The address held in 20 bytes. */
    public static Address of(byte[] twentyBytes) {
        if (twentyBytes == null || twentyBytes.length != 20) {
            throw HyphaException.input("an address is 20 bytes, got "
                    + (twentyBytes == null ? "none" : twentyBytes.length + " bytes"));
        }
        return new Address(Numeric.toHexString(twentyBytes));
    }

    /** The address of an uncompressed secp256k1 public key (64 bytes, as web3j holds it). */
    public static Address fromPublicKey(BigInteger publicKey) {
        return new Address(Numeric.prependHexPrefix(Keys.getAddress(publicKey)));
    }

    /** The address of a key pair's public key. */
    public static Address of(ECKeyPair keyPair) {
        return fromPublicKey(keyPair.getPublicKey());
    }

    /** The 20 address bytes (a fresh copy). */
    public byte[] bytes() {
        return Numeric.hexStringToByteArray(lowercaseHex);
    }

    /** EIP-55 mixed-case form, e.g. {@code 0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826}. */
    public String toChecksumString() {
        return Keys.toChecksumAddress(lowercaseHex);
    }

    /** The EIP-55 checksummed form. */
    @Override
    public String toString() {
        return toChecksumString();
    }

    @Override
    public int compareTo(Address other) {
        return lowercaseHex.compareTo(other.lowercaseHex);
    }

    private static HyphaException notAnAddress(String text) {
        String shown = text == null ? "" : Hex.abbreviate(text);
        return HyphaException.input("not an Ethereum address: '" + shown + "' (expected 0x + 40 hex digits)");
    }
}
