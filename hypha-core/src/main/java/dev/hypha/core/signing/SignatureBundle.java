package dev.hypha.core.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Base64;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

/**
 * A Sigstore bundle (media type {@value #MEDIA_TYPE}) holding a DSSE envelope, as model-transparency writes for
 * key-based signing:
 * <pre>{@code
 * {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
 *  "verificationMaterial": {"publicKey": {"hint": SIGNER_ADDRESS}},
 *  "dsseEnvelope": {"payload": BASE64(statement), "payloadType": "application/vnd.in-toto+json",
 *                   "signatures": [{"sig": BASE64(65-byte r||s||v), "keyid": SIGNER_ADDRESS}]}}
 * }</pre>
 * The signature is secp256k1 over keccak256(PAE(payloadType, payload)) (DSSE's pre-authentication encoding), so the
 * signer's Ethereum address is recovered from it: verifying needs neither a certificate nor a network. Standard
 * Sigstore verifiers expect ECDSA P-256 or certificates, so they read this bundle but cannot check the signature; the
 * envelope, statement and manifest are theirs.
 */
public final class SignatureBundle {
    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
    /** Largest bundle read (a manifest of 100,000 files takes about 15 MB). */
    public static final int MAX_BYTES = 64 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bundle whose signature verified: who signed, and the statement they signed. */
    public record Verified(Address signer, byte[] statement) {}

    private SignatureBundle() {}

    /** Signs {@code statement} with {@code key}; returns the bundle's JSON bytes. */
    public static byte[] sign(byte[] statement, ECKeyPair key) {
        Signature sig = Signature.of(Sign.signMessage(pae(PAYLOAD_TYPE, statement), key, true));
        String signer = Address.of(key).toChecksumString();
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("mediaType", MEDIA_TYPE);
        bundle.putObject("verificationMaterial").putObject("publicKey").put("hint", signer);
        ObjectNode envelope = bundle.putObject("dsseEnvelope");
        envelope.put("payload", Base64.getEncoder().encodeToString(statement));
        envelope.put("payloadType", PAYLOAD_TYPE);
        envelope.putArray("signatures").addObject()
                .put("sig", Base64.getEncoder().encodeToString(sig.toBytes()))
                .put("keyid", signer);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(bundle);
        } catch (IOException e) {
            throw new IllegalStateException("writing a JSON tree to memory never fails", e);
        }
    }

    /**
     * Checks the bundle's signature: the address it recovers must be the one the bundle names.
     *
     * @throws HyphaException (INPUT) for a malformed bundle, (AUTH) for a signature that does not verify
     */
    public static Verified verify(byte[] bundleJson) {
        if (bundleJson.length > MAX_BYTES) throw HyphaException.input("signature file is larger than " + MAX_BYTES + " bytes");
        JsonNode bundle;
        try {
            bundle = JSON.readTree(bundleJson);
        } catch (IOException e) {
            throw HyphaException.input("signature file is not JSON: " + e.getMessage(), e);
        }
        if (bundle == null || !MEDIA_TYPE.equals(bundle.path("mediaType").asText())) {
            throw HyphaException.input("signature file is not a Sigstore bundle (" + MEDIA_TYPE + ")");
        }
        JsonNode envelope = bundle.path("dsseEnvelope");
        if (!PAYLOAD_TYPE.equals(envelope.path("payloadType").asText())) {
            throw HyphaException.input("signature file's envelope does not hold an in-toto statement");
        }
        JsonNode signatures = envelope.path("signatures");
        if (!signatures.isArray() || signatures.size() != 1) {
            throw HyphaException.input("signature file must hold exactly one signature");
        }
        Address named;
        byte[] payload;
        Signature sig;
        try {
            named = Address.parse(bundle.path("verificationMaterial").path("publicKey").path("hint").asText(""));
            payload = Base64.getDecoder().decode(envelope.path("payload").asText(""));
            sig = Signature.fromBytes(Base64.getDecoder().decode(signatures.get(0).path("sig").asText("")));
        } catch (IllegalArgumentException | HyphaException e) {
            throw HyphaException.input("signature file is malformed: " + e.getMessage(), e);
        }
        Address recovered;
        try {
            BigInteger key = Sign.signedMessageToKey(pae(PAYLOAD_TYPE, payload), sig.toSignatureData());
            recovered = Address.fromPublicKey(key);
        } catch (SignatureException | IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.AUTH, "the signature does not verify: " + e.getMessage(), e);
        }
        if (!recovered.equals(named)) {
            throw new HyphaException(ErrorCategory.AUTH, "the signature does not verify: it was not made by "
                    + named.toChecksumString() + " over this statement (the statement or signature was altered)");
        }
        return new Verified(named, payload);
    }

    /** DSSE's pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body. */
    static byte[] pae(String type, byte[] body) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("DSSEv1 " + t.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(t);
        out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }
}
