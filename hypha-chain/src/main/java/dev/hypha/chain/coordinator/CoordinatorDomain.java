package dev.hypha.chain.coordinator;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The EIP-712 domain of one InferenceCoordinator (name "Hypha InferenceCoordinator", version "1", its chain and
 * address) and the receipt type in it, {@code InferenceReceipt(bytes32 requestHash,address provider,bytes32 modelId,
 * uint64 tokensIn,uint64 tokensOut,bytes32 outputHash,uint256 fee)}: byte for byte what the contract's
 * {@code receiptDigest} computes.
 *
 * @param chainId  the chain the contract is on
 * @param contract the InferenceCoordinator contract
 */
public record CoordinatorDomain(long chainId, Address contract) {
    /** The contract's EIP-712 name. */
    public static final String NAME = "Hypha InferenceCoordinator";
    /** The contract's EIP-712 version. */
    public static final String VERSION = "1";
    private static final Map<String, List<TypedData.Field>> TYPES = Map.of("InferenceReceipt", List.of(
            new TypedData.Field("requestHash", "bytes32"), new TypedData.Field("provider", "address"),
            new TypedData.Field("modelId", "bytes32"), new TypedData.Field("tokensIn", "uint64"),
            new TypedData.Field("tokensOut", "uint64"), new TypedData.Field("outputHash", "bytes32"),
            new TypedData.Field("fee", "uint256")));

    public CoordinatorDomain {
        Objects.requireNonNull(contract, "contract");
    }

    /** The typed data of a receipt. */
    public TypedData typedData(InferenceReceipt r) {
        return TypedData.of(TypedData.Domain.of(NAME, VERSION, chainId, contract), TYPES, "InferenceReceipt", Map.of(
                "requestHash", r.requestHash(), "provider", r.provider().lowercaseHex(), "modelId", r.modelId(),
                "tokensIn", BigInteger.valueOf(r.tokensIn()), "tokensOut", BigInteger.valueOf(r.tokensOut()),
                "outputHash", r.outputHash(), "fee", r.fee()));
    }

    /** The digest the signing key signs (equal to the contract's {@code receiptDigest}). */
    public byte[] digest(InferenceReceipt r) {
        return Eip712.hash(typedData(r));
    }

    /** Signs a receipt with a signer that never hands out its key (e.g. {@code TransactionSender::signTypedData}). */
    public Signature sign(InferenceReceipt r, Function<TypedData, Signature> signer) {
        return signer.apply(typedData(r));
    }

    /** Whether {@code signature} is {@code expected}'s over this receipt; malformed or high-s signatures are not. */
    public boolean isSignedBy(InferenceReceipt r, Signature signature, Address expected) {
        try {
            return Eip712.verify(typedData(r), signature, expected);
        } catch (HyphaException | IllegalArgumentException notValid) {
            return false;
        }
    }
}
