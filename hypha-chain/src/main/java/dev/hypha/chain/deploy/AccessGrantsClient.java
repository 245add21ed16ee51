package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.AccessGrants;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * AccessGrants: an asset owner grants, revokes and re-keys access (per account, or per compute job spec); a grantee
 * reads the data key encrypted to it. The key bytes are opaque here (the encryption is the node's).
 */
public final class AccessGrantsClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "AccessGrants";
    /** Longest encrypted key in bytes (the contract's MAX_KEY_BYTES). */
    public static final int MAX_KEY_BYTES = 512;

    private final ContractCalls calls;
    private final AccessGrants binding;

    AccessGrantsClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, AccessGrants::load);
    }

    /** Grants {@code grantee} access to an asset this account owns, with the data key encrypted to it. */
    public TransactionReceipt grant(long assetId, Address grantee, byte[] encryptedKey) {
        if (encryptedKey.length == 0 || encryptedKey.length > MAX_KEY_BYTES) {
            throw ChainErrors.input("encrypted key must be 1.." + MAX_KEY_BYTES + " bytes, got " + encryptedKey.length);
        }
        return calls.write(NAME, "grant",
                binding.grant(BigInteger.valueOf(assetId), grantee.lowercaseHex(), encryptedKey.clone()));
    }

    /** Ends {@code grantee}'s access to an asset this account owns. */
    public TransactionReceipt revoke(long assetId, Address grantee) {
        return calls.write(NAME, "revoke", binding.revoke(BigInteger.valueOf(assetId), grantee.lowercaseHex()));
    }

    /** Grants jobs with this spec (a 32-byte content-id digest) access to an asset this account owns. */
    public TransactionReceipt grantJob(long assetId, byte[] jobSpec, byte[] encryptedKey) {
        return calls.write(NAME, "grantJob", binding.grantJob(BigInteger.valueOf(assetId),
                ContractCalls.bytes32("job spec", jobSpec), encryptedKey.clone()));
    }

    /** Starts a new key epoch for an asset this account owns: every grant must be re-issued to hold a key. */
    public TransactionReceipt rotateKey(long assetId) {
        return calls.write(NAME, "rotateKey", binding.rotateKey(BigInteger.valueOf(assetId)));
    }

    /** Whether {@code grantee} holds an active grant of the asset's current key epoch. */
    public boolean hasAccess(long assetId, Address grantee) {
        return read(NAME + ".hasAccess", () -> binding.hasAccess(BigInteger.valueOf(assetId), grantee.lowercaseHex()).send());
    }

    /** The data key of the current epoch encrypted to {@code grantee}, or empty when it holds no such grant. */
    public Optional<byte[]> keyOf(long assetId, Address grantee) {
        if (!hasAccess(assetId, grantee)) {
            return Optional.empty();
        }
        return Optional.of(read(NAME + ".keyOf",
                () -> binding.keyOf(BigInteger.valueOf(assetId), grantee.lowercaseHex()).send()));
    }
}
