package dev.hypha.chain.channels;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The EIP-712 domain receipts are signed in: name "Hypha Receipt", version "1", the chain, and the ProviderRegistry
 * whose listed signing key signs them (so a receipt names the registry that vouches for its signer, and cannot be
 * replayed against another network). A contract that settles disputes checks them with this exact type.
 *
 * @param chainId  the chain
 * @param registry the ProviderRegistry listing the provider's signing key
 */
public record ReceiptDomain(long chainId, Address registry) {
    /** The EIP-712 name. */
    public static final String NAME = "Hypha Receipt";
    /** The EIP-712 version. */
    public static final String VERSION = "1";
    private static final Map<String, List<TypedData.Field>> TYPES = Map.of("Receipt", List.of(
            new TypedData.Field("requestHash", "bytes32"), new TypedData.Field("modelId", "bytes32"),
            new TypedData.Field("tokensIn", "uint64"), new TypedData.Field("tokensOut", "uint64"),
            new TypedData.Field("outputHash", "bytes32"), new TypedData.Field("price", "uint256"),
            new TypedData.Field("channelId", "bytes32"), new TypedData.Field("cumulativeAmount", "uint256")));

    public ReceiptDomain {
        Objects.requireNonNull(registry, "registry");
    }

    /** The typed data of a receipt. */
    public TypedData typedData(Receipt r) {
        return TypedData.of(TypedData.Domain.of(NAME, VERSION, chainId, registry), TYPES, "Receipt", Map.of(
                "requestHash", r.requestHash(), "modelId", r.modelId(), "tokensIn", BigInteger.valueOf(r.tokensIn()),
                "tokensOut", BigInteger.valueOf(r.tokensOut()), "outputHash", r.outputHash(), "price", r.price(),
                "channelId", r.channelId(), "cumulativeAmount", r.cumulativeAmount()));
    }

    /** Signs a receipt with a signer that never hands out its key. */
    public Signature sign(Receipt r, Function<TypedData, Signature> signer) {
        return signer.apply(typedData(r));
    }

    /** Whether {@code signature} is {@code expected}'s over this receipt; malformed or high-s signatures are not. */
    public boolean isSignedBy(Receipt r, Signature signature, Address expected) {
        try {
            return Eip712.verify(typedData(r), signature, expected);
        } catch (HyphaException | IllegalArgumentException notValid) {
            return false;
        }
    }
}
