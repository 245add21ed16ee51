package dev.hypha.chain.compute;

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
 * The EIP-712 domain of one ComputeMarket deployment (name "Hypha ComputeMarket", version "1", its chain and address)
 * and the attestation type in it, {@code AuditedResources(address provider,uint32 cores,uint32 memoryMiB,
 * uint32 accelerators,uint64 expiresAt)}: what an auditor signs about a provider's resources, byte for byte what the
 * contract's {@code attestationDigest} computes and its {@code bid} checks on an order that names the auditor.
 *
 * @param chainId the chain the market is on
 * @param market  the ComputeMarket contract
 */
public record AuditDomain(long chainId, Address market) {
    /** The contract's EIP-712 name. */
    public static final String NAME = "Hypha ComputeMarket";
    /** The contract's EIP-712 version. */
    public static final String VERSION = "1";
    private static final Map<String, List<TypedData.Field>> TYPES = Map.of("AuditedResources", List.of(
            new TypedData.Field("provider", "address"), new TypedData.Field("cores", "uint32"),
            new TypedData.Field("memoryMiB", "uint32"), new TypedData.Field("accelerators", "uint32"),
            new TypedData.Field("expiresAt", "uint64")));

    public AuditDomain {
        Objects.requireNonNull(market, "market");
    }

    /** The typed data of an attestation that {@code provider} offers {@code resources} until {@code expiresAt}. */
    public TypedData typedData(Address provider, Resources resources, long expiresAt) {
        return TypedData.of(TypedData.Domain.of(NAME, VERSION, chainId, market), TYPES, "AuditedResources", Map.of(
                "provider", provider.lowercaseHex(), "cores", BigInteger.valueOf(resources.cores()),
                "memoryMiB", BigInteger.valueOf(resources.memoryMiB()),
                "accelerators", BigInteger.valueOf(resources.accelerators()),
                "expiresAt", BigInteger.valueOf(expiresAt)));
    }

    /** The digest the auditor signs (equal to the contract's {@code attestationDigest}). */
    public byte[] digest(Address provider, Resources resources, long expiresAt) {
        return Eip712.hash(typedData(provider, resources, expiresAt));
    }

    /**
     * The auditor's attestation, signed with a signer that never hands out its key (e.g.
     * {@code TransactionSender::signTypedData}); {@code auditor} is the signer's address.
     */
    public ResourceAttestation attest(Address auditor, Address provider, Resources resources, long expiresAt,
                                     Function<TypedData, Signature> signer) {
        Signature signature = signer.apply(typedData(provider, resources, expiresAt));
        return new ResourceAttestation(chainId, market, auditor, provider, resources, expiresAt, signature);
    }

    /**
     * Whether {@code signature} is {@code auditor}'s over these terms (for an ECDSA auditor; an ERC-1271 auditor
     * contract is checked by the market). A malformed or high-s signature is simply not valid.
     */
    public boolean isSignedBy(Address auditor, Address provider, Resources resources, long expiresAt, Signature signature) {
        try {
            return Eip712.verify(typedData(provider, resources, expiresAt), signature, auditor);
        } catch (HyphaException | IllegalArgumentException notValid) {
            return false;
        }
    }
}
