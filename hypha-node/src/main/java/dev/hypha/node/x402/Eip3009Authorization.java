package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.web3j.crypto.Credentials;

/**
 * An EIP-3009 {@code TransferWithAuthorization}: {@code from} lets anyone move {@code value} of the token to {@code to}
 * once ({@code nonce} is random and single-use), strictly between {@code validAfter} and {@code validBefore} (unix
 * seconds). Signed under the token's own EIP-712 domain, so it is worth nothing on another chain or token.
 */
public record Eip3009Authorization(Address from, Address to, BigInteger value, BigInteger validAfter,
                                   BigInteger validBefore, String nonce) {
    private static final Map<String, List<TypedData.Field>> TYPES = Map.of("TransferWithAuthorization", List.of(
            new TypedData.Field("from", "address"), new TypedData.Field("to", "address"),
            new TypedData.Field("value", "uint256"), new TypedData.Field("validAfter", "uint256"),
            new TypedData.Field("validBefore", "uint256"), new TypedData.Field("nonce", "bytes32")));

    public Eip3009Authorization {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(validAfter, "validAfter");
        Objects.requireNonNull(validBefore, "validBefore");
        if (!Objects.requireNonNull(nonce, "nonce").matches("0x[0-9a-f]{64}")) {
            throw new IllegalArgumentException("nonce must be 0x + 64 lower-case hex digits");
        }
    }

    /** The typed data signed, in the domain of {@code token} ({@code name}, {@code version}) on {@code chainId}. */
    public TypedData typedData(String name, String version, long chainId, Address token) {
        return TypedData.of(TypedData.Domain.of(name, version, chainId, token), TYPES, "TransferWithAuthorization",
                Map.of("from", from.lowercaseHex(), "to", to.lowercaseHex(), "value", value, "validAfter", validAfter,
                        "validBefore", validBefore, "nonce", nonce));
    }

    /** The typed data signed for {@code requirement}'s token and chain. */
    public TypedData typedData(ExactRequirement requirement) {
        return typedData(requirement.tokenName(), requirement.tokenVersion(), requirement.chainId(), requirement.asset());
    }

    /** Signs with an account key (an EOA payer). */
    public Signature sign(ExactRequirement requirement, Credentials key) {
        return Eip712.sign(typedData(requirement), key);
    }

    /** The JSON x402 carries (every number a decimal string). */
    public ObjectNode toJson() {
        ObjectNode a = X402Json.JSON.createObjectNode();
        a.put("from", from.toChecksumString());
        a.put("to", to.toChecksumString());
        a.put("value", value.toString());
        a.put("validAfter", validAfter.toString());
        a.put("validBefore", validBefore.toString());
        a.put("nonce", nonce);
        return a;
    }

    static Eip3009Authorization parse(String where, JsonNode a) {
        if (a == null || !a.isObject()) {
            throw new MalformedPayment(where, "payload.authorization must be an object");
        }
        String w = where + " payload.authorization";
        return new Eip3009Authorization(X402Json.address(w, a, "from"), X402Json.address(w, a, "to"),
                X402Json.uint(w, a, "value"), X402Json.uint(w, a, "validAfter"), X402Json.uint(w, a, "validBefore"),
                X402Json.bytes32(w, a, "nonce"));
    }
}
