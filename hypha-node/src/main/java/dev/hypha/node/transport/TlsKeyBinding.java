package dev.hypha.node.transport;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;

/**
 * The statement a provider's registered signing key makes about a TLS key: "this TLS public key speaks for provider
 * {@code provider} on chain {@code chainId} from {@code notBefore} to {@code notAfter}". It travels as the value of a
 * non-critical X.509 extension ({@link #OID}) in the provider's self-signed certificate, DER-encoded as
 *
 * <pre>
 * HyphaTlsKeyBinding ::= SEQUENCE {
 *     version    INTEGER (1),
 *     chainId    INTEGER,                  -- EVM chain id, 1 .. 2^63-1
 *     provider   OCTET STRING (SIZE (20)), -- the provider's address in ProviderRegistry
 *     notBefore  INTEGER,                  -- unix seconds
 *     notAfter   INTEGER,                  -- unix seconds, after notBefore
 *     signature  OCTET STRING (SIZE (65))  -- r || s || v (v 27 or 28, s low), by the registered signing key
 * }
 * </pre>
 *
 * The signature is EIP-712 over {@code TlsKeyBinding(bytes32 spkiHash,address provider,uint64 notBefore,uint64
 * notAfter)} in the domain {name "Hypha TLS key binding", version "1", chainId}, where {@code spkiHash} is the
 * keccak-256 of the certificate's DER SubjectPublicKeyInfo. The hash is not carried: the reader computes it from the
 * certificate it was shown, so the statement cannot be moved onto another key. The signer is not carried either: it is
 * recovered, and compared with the key the reader expects.
 *
 * <p>The extension is non-critical so that ordinary TLS tools (curl -k, openssl s_client) can still talk to a
 * provider; Hypha clients require it. No contract checks the statement, so the domain has no verifying contract.
 *
 * @param chainId   the chain whose ProviderRegistry lists the provider
 * @param provider  the provider's address
 * @param notBefore start of validity (whole seconds)
 * @param notAfter  end of validity (whole seconds), after {@code notBefore}
 * @param signature the registered signing key's signature
 */
public record TlsKeyBinding(long chainId, Address provider, Instant notBefore, Instant notAfter, Signature signature) {
    /**
     * The extension's OID. It lies under {@code 2.25}, the arc of UUID-based OIDs (ITU-T X.667) that anyone may use
     * without registering; the UUID 420f1c3a-0131-4fbe-82fb-da10b7d88864 was drawn at random for this extension.
     */
    public static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier("2.25.87807504677753897056437034186522003556");
    /** The only format version. */
    public static final int VERSION = 1;
    /**
     * The most bytes an extension value may have before it is parsed. An honest one is about 130 bytes; the bound keeps
     * what a hostile certificate can make a client parse small.
     */
    public static final int MAX_DER_BYTES = 256;
    /** EIP-712 domain name. */
    public static final String DOMAIN_NAME = "Hypha TLS key binding";
    /** EIP-712 domain version. */
    public static final String DOMAIN_VERSION = "1";
    private static final Map<String, List<TypedData.Field>> TYPES = Map.of("TlsKeyBinding", List.of(
            new TypedData.Field("spkiHash", "bytes32"), new TypedData.Field("provider", "address"),
            new TypedData.Field("notBefore", "uint64"), new TypedData.Field("notAfter", "uint64")));

    public TlsKeyBinding {
        if (chainId <= 0) {
            throw HyphaException.input("a TLS key binding's chain id must be positive, got " + chainId);
        }
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(signature, "signature");
        notBefore = wholeSeconds(notBefore, "notBefore");
        notAfter = wholeSeconds(notAfter, "notAfter");
        if (!notAfter.isAfter(notBefore)) {
            throw HyphaException.input("a TLS key binding must end after it starts, got notBefore " + notBefore
                    + " and notAfter " + notAfter);
        }
    }

    /** Signs a binding of {@code tlsKey} with the registered key behind {@code signer} (which keeps the key). */
    public static TlsKeyBinding sign(PublicKey tlsKey, long chainId, Address provider, Instant notBefore,
                                     Instant notAfter, Function<TypedData, Signature> signer) {
        Instant from = wholeSeconds(notBefore, "notBefore");
        Instant to = wholeSeconds(notAfter, "notAfter");
        Signature signature = signer.apply(typedData(spkiHash(tlsKey), chainId, provider, from, to));
        return new TlsKeyBinding(chainId, provider, from, to, signature);
    }

    /** The address whose key made this binding's signature for {@code tlsKey}. */
    public Address signer(PublicKey tlsKey) {
        return Eip712.recoverSigner(typedData(spkiHash(tlsKey), chainId, provider, notBefore, notAfter), signature);
    }

    /** Whether {@code at} lies in [notBefore, notAfter]. */
    public boolean isValidAt(Instant at) {
        return !at.isBefore(notBefore) && !at.isAfter(notAfter);
    }

    /** The typed data the registered key signs. */
    public static TypedData typedData(byte[] spkiHash, long chainId, Address provider, Instant notBefore, Instant notAfter) {
        return TypedData.of(new TypedData.Domain(DOMAIN_NAME, DOMAIN_VERSION, BigInteger.valueOf(chainId), null),
                TYPES, "TlsKeyBinding", Map.of("spkiHash", spkiHash, "provider", provider,
                        "notBefore", BigInteger.valueOf(notBefore.getEpochSecond()),
                        "notAfter", BigInteger.valueOf(notAfter.getEpochSecond())));
    }

    /** keccak-256 of the key's DER SubjectPublicKeyInfo (what {@link PublicKey#getEncoded()} gives for X.509 keys). */
    public static byte[] spkiHash(PublicKey key) {
        return Hashes.keccak256(key.getEncoded());
    }

    /** The extension value: the DER of the structure in the class comment. */
    public byte[] toDer() {
        ASN1Encodable[] fields = {
                new ASN1Integer(VERSION), new ASN1Integer(chainId), new DEROctetString(provider.bytes()),
                new ASN1Integer(notBefore.getEpochSecond()), new ASN1Integer(notAfter.getEpochSecond()),
                new DEROctetString(signature.toBytes())};
        try {
            return new DERSequence(fields).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: DER encoding of integers and octet strings in memory", e);
        }
    }

    /**
     * Reads an extension value. Only the canonical DER form of version 1 is accepted (one byte string per binding).
     *
     * @throws HyphaException (INPUT) naming what is malformed: too long, not DER, wrong shape, a field out of range
     */
    public static TlsKeyBinding fromDer(byte[] der) {
        if (der.length > MAX_DER_BYTES) {
            throw HyphaException.input("the key binding is " + der.length + " bytes, over the limit of "
                    + MAX_DER_BYTES);
        }
        ASN1Primitive parsed;
        try {
            parsed = ASN1Primitive.fromByteArray(der);
            if (parsed == null || !Arrays.equals(parsed.getEncoded(ASN1Encoding.DER), der)) {
                throw HyphaException.input("the key binding is not canonical DER");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HyphaException h) throw h;
            throw HyphaException.input("the key binding is not DER: " + e.getMessage(), e);
        }
        if (!(parsed instanceof ASN1Sequence seq) || seq.size() != 6) {
            throw HyphaException.input("the key binding must be a SEQUENCE of 6 fields (version, chainId, provider, "
                    + "notBefore, notAfter, signature)");
        }
        long version = integer(seq, 0, "version");
        if (version != VERSION) {
            throw HyphaException.input("key binding version " + version + " is not supported (this node reads "
                    + VERSION + ")");
        }
        byte[] signature = octets(seq, 5, "signature", Signature.LENGTH);
        int v = signature[Signature.LENGTH - 1] & 0xff;
        if (v != 27 && v != 28) {
            // Signature.fromBytes also takes 0/1; one form only keeps the encoding canonical.
            throw HyphaException.input("key binding signature's v must be 27 or 28, got " + v);
        }
        return new TlsKeyBinding(integer(seq, 1, "chainId"), Address.of(octets(seq, 2, "provider", 20)),
                Instant.ofEpochSecond(integer(seq, 3, "notBefore")), Instant.ofEpochSecond(integer(seq, 4, "notAfter")),
                Signature.fromBytes(signature));
    }

    private static long integer(ASN1Sequence seq, int index, String name) {
        if (!(seq.getObjectAt(index) instanceof ASN1Integer value)) {
            throw HyphaException.input("key binding field " + name + " must be an INTEGER");
        }
        BigInteger v = value.getValue();
        if (v.signum() < 0 || v.bitLength() > 63) {
            throw HyphaException.input("key binding field " + name + " is out of range (0 .. 2^63-1)");
        }
        return v.longValueExact();
    }

    private static byte[] octets(ASN1Sequence seq, int index, String name, int length) {
        if (!(seq.getObjectAt(index) instanceof ASN1OctetString value) || value.getOctets().length != length) {
            throw HyphaException.input("key binding field " + name + " must be an OCTET STRING of " + length + " bytes");
        }
        return value.getOctets();
    }

    private static Instant wholeSeconds(Instant at, String name) {
        Objects.requireNonNull(at, name);
        if (at.getEpochSecond() < 0) {
            throw HyphaException.input("a TLS key binding's " + name + " must not be before 1970, got " + at);
        }
        return Instant.ofEpochSecond(at.getEpochSecond());
    }
}
