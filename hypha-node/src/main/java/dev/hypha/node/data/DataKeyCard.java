package dev.hypha.node.data;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.RecipientKey;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;

/**
 * An account's X25519 data key (what owners wrap data keys to), signed by the account: {@code hdk1:<key>:<signature>}
 * with 32 key bytes and a 65-byte EIP-191 {@code personal_sign} over "Hypha data key" and the key's hex.
 *
 * <p>Decision: the grantee prints its card ({@code hypha data key}) and hands it to the owner, as one hands over an SSH
 * public key, instead of a key directory on chain: no contract or deployment change, and the signature binds the key to
 * the account the grant names, so a card swapped in transit (someone else's key under the grantee's name) is refused
 * before a key is wrapped to it. A paid request carries the buyer's key on chain instead (sent by the buyer itself).
 */
public record DataKeyCard(Address account, byte[] publicKey, Signature signature) {
    private static final String PREFIX = "hdk1:";
    private static final Pattern SHAPE = Pattern.compile("hdk1:0x[0-9a-fA-F]{64}:0x[0-9a-fA-F]{130}");

    public DataKeyCard {
        publicKey = publicKey.clone();
        if (publicKey.length != RecipientKey.PUBLIC_BYTES) {
            throw new IllegalArgumentException("a data key is " + RecipientKey.PUBLIC_BYTES + " bytes");
        }
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The card of {@code account}'s own data key. */
    public static DataKeyCard of(Credentials account) {
        RecipientKey key = RecipientKey.ofAccount(account.getEcKeyPair().getPrivateKey());
        Signature signature = Signature.of(Sign.signPrefixedMessage(message(key.publicKey()), account.getEcKeyPair()));
        return new DataKeyCard(Address.parse(account.getAddress()), key.publicKey(), signature);
    }

    /** The text form, {@code hdk1:0x<64 hex>:0x<130 hex>}. */
    public String text() {
        return PREFIX + Hex.encode(publicKey) + ":" + signature.toHex();
    }

    /**
     * The card in {@code text}, whose signature must recover {@code expected}.
     *
     * @throws HyphaException (INPUT) naming what is wrong: the shape, the signature, or another signer
     */
    public static DataKeyCard parse(String text, Address expected) {
        DataKeyCard card = parse(text);
        if (!card.account().equals(expected)) {
            throw HyphaException.input("the data key card was signed by " + card.account().toChecksumString() + ", not by "
                    + expected.toChecksumString() + ": ask that account for the card `hypha data key` prints");
        }
        return card;
    }

    /**
     * The card in {@code text}, for the account whose signature it carries (whoever that is: the caller checks it is
     * the account it expects).
     *
     * @throws HyphaException (INPUT) naming what is wrong: the shape or the signature
     */
    public static DataKeyCard parse(String text) {
        if (text == null || text.length() > 256 || !SHAPE.matcher(text).matches()) {
            throw HyphaException.input("not a data key card: expected hdk1:0x<64 hex digits>:0x<130 hex digits>, as "
                    + "`hypha data key` prints it on the grantee's machine");
        }
        String[] parts = text.split(":");
        byte[] key = Hex.decode(parts[1], RecipientKey.PUBLIC_BYTES, "data key");
        Signature signature;
        Address signer;
        try {
            signature = Signature.fromHex(parts[2]);
            signer = Address.fromPublicKey(Sign.signedPrefixedMessageToKey(message(key), signature.toSignatureData()));
        } catch (SignatureException | RuntimeException e) {
            throw HyphaException.input("the data key card's signature is unreadable: " + e.getMessage());
        }
        return new DataKeyCard(signer, key, signature);
    }

    private static byte[] message(byte[] key) {
        return ("Hypha data key\n" + Hex.encode(key)).getBytes(StandardCharsets.US_ASCII);
    }
}
