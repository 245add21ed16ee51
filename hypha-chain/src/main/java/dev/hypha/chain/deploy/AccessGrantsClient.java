package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.assets.AccessRequest;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.contracts.AccessGrants;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.web3j.utils.Numeric;
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
    private final AssetRegistryClient assets;

    AccessGrantsClient(ContractCalls calls, AssetRegistryClient assets) {
        this.calls = calls;
        this.binding = calls.binding(NAME, AccessGrants::load);
        this.assets = assets;
    }

    /**
     * Pays an asset's per-use price from this account (approving its token when the allowance is short) and asks its
     * owner for the data key, encrypted to {@code recipientKey}; refused by the contract if the price rose above
     * {@code maxPrice}.
     *
     * @param recipientKey this account's public encryption key (32 bytes)
     * @return the request's id
     */
    public long requestAccess(long assetId, byte[] recipientKey, BigInteger maxPrice) {
        Licence licence = assets.licence(assetId);
        if (!licence.terms().equals(dev.hypha.chain.assets.Terms.PAID_PER_USE)) {
            throw ChainErrors.input("asset #" + assetId + " is not sold per use (its terms are " + licence.terms() + ")");
        }
        if (licence.price().compareTo(maxPrice) > 0) {
            throw ChainErrors.input("asset #" + assetId + " costs " + licence.price() + ", above the accepted " + maxPrice);
        }
        calls.approveIfShort(NAME, licence.token(), licence.price());
        TransactionReceipt receipt = calls.write(NAME, "requestAccess", binding.requestAccess(BigInteger.valueOf(assetId),
                ContractCalls.bytes32("recipient key", recipientKey), maxPrice));
        List<AccessGrants.AccessRequestedEventResponse> events = AccessGrants.getAccessRequestedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("requestAccess transaction " + receipt.getTransactionHash() + " emitted "
                    + events.size() + " AccessRequested events, expected 1");
        }
        return events.getFirst().requestId.longValueExact();
    }

    /** Delivers a paid request's key (this account owns the asset): the buyer gets a grant, the asset the payment. */
    public TransactionReceipt fulfil(long requestId, byte[] encryptedKey) {
        return calls.write(NAME, "fulfil", binding.fulfil(BigInteger.valueOf(requestId), encryptedKey.clone()));
    }

    /** Refuses a paid request (this account owns the asset); the buyer is refunded at once. */
    public TransactionReceipt decline(long requestId) {
        return calls.write(NAME, "decline", binding.decline(BigInteger.valueOf(requestId)));
    }

    /** Returns an undelivered request's payment to its buyer after the delivery window (anyone may send it). */
    public TransactionReceipt refund(long requestId) {
        return calls.write(NAME, "refund", binding.refund(BigInteger.valueOf(requestId)));
    }

    /** A paid request's record. */
    public AccessRequest request(long requestId) {
        AccessGrants.Request r = read(NAME + ".requestOf", () -> binding.requestOf(BigInteger.valueOf(requestId)).send());
        return new AccessRequest(requestId, r.assetId.longValueExact(), AccessRequest.State.of(r.state.intValueExact()),
                r.deadline.longValueExact(), Address.parse(r.buyer), Address.parse(r.token), r.amount, r.recipientKey);
    }

    /** The id the next paid request will get (requests count up from 1). */
    public long nextRequestId() {
        return read(NAME + ".nextRequestId", () -> binding.nextRequestId().send()).longValueExact();
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

    /** Ends the access of jobs with this spec to an asset this account owns. */
    public TransactionReceipt revokeJob(long assetId, byte[] jobSpec) {
        return calls.write(NAME, "revokeJob", binding.revokeJob(BigInteger.valueOf(assetId),
                ContractCalls.bytes32("job spec", jobSpec)));
    }

    /** Whether jobs with this spec hold an active grant of the asset's current key epoch. */
    public boolean jobHasAccess(long assetId, byte[] jobSpec) {
        return read(NAME + ".jobHasAccess", () -> binding.jobHasAccess(BigInteger.valueOf(assetId),
                ContractCalls.bytes32("job spec", jobSpec)).send());
    }

    /**
     * The data key of the current epoch held by the job grant for this spec (empty bytes until the owner released it),
     * or empty when there is no such grant.
     */
    public Optional<byte[]> jobKeyOf(long assetId, byte[] jobSpec) {
        if (!jobHasAccess(assetId, jobSpec)) {
            return Optional.empty();
        }
        return Optional.of(read(NAME + ".jobKeyOf", () -> binding.jobKeyOf(BigInteger.valueOf(assetId),
                ContractCalls.bytes32("job spec", jobSpec)).send()));
    }

    /**
     * The assets {@code grantee} was ever granted (from the AccessGranted events since the deployment), ascending and
     * each once; whether a grant is still active is {@link #hasAccess}'s question. Bounded: at most {@code limit} ids.
     */
    public List<Long> everGrantedTo(Address grantee, int limit) {
        org.web3j.protocol.core.methods.request.EthFilter filter = new org.web3j.protocol.core.methods.request.EthFilter(
                org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(calls.deployment().deployBlock())),
                org.web3j.protocol.core.DefaultBlockParameterName.LATEST, binding.getContractAddress());
        filter.addSingleTopic(org.web3j.abi.EventEncoder.encode(AccessGrants.ACCESSGRANTED_EVENT));
        filter.addNullTopic();
        filter.addSingleTopic(org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(
                Numeric.toBigInt(grantee.lowercaseHex()), 64));
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        for (org.web3j.protocol.core.methods.response.Log log : calls.client().logs(filter)) {
            ids.add(Numeric.toBigInt(log.getTopics().get(1)).longValueExact());
            if (ids.size() >= limit) break;
        }
        return List.copyOf(ids);
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
