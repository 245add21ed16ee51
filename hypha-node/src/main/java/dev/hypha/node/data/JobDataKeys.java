package dev.hypha.node.data;

import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.KeyWrap;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The owner's side of compute-to-data. {@link #allow} grants jobs with one spec access to an asset with no key yet
 * (AccessGrants' {@code grantJob} with an empty key: a promise, readable by anyone, that such a job may use the data).
 * {@link #release} then gives the key to the one provider that holds a lease on an order of that spec: the data key
 * wrapped to that provider's signed data key card, stored in the job grant. Only that provider can unwrap it; nobody
 * else, other providers included, learns anything from the chain.
 *
 * <p>Decision: the release is a separate, checked step by the owner (or its node) rather than a key posted up front,
 * because the leaseholder is not known when the owner allows the spec, and a key wrapped to nobody in particular
 * would be a key for everyone. The owner must therefore be reachable once per lease (README says so). One job grant
 * holds one key: releasing for a second lease of the same spec replaces the first provider's wrapped key (the first
 * provider already held the data, so nothing is newly exposed).
 */
public final class JobDataKeys {
    private final HyphaContracts contracts;
    private final DataOwner owner;

    public JobDataKeys(HyphaContracts contracts, DataOwner owner) {
        this.contracts = Objects.requireNonNull(contracts, "contracts");
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** Allows jobs whose spec has content id {@code specId} to read {@code assetId} (no key released yet). */
    public void allow(long assetId, ContentId specId) {
        contracts.grants().grantJob(assetId, JobSpecDigest.of(specId), new byte[0]);
    }

    /** Ends the access of jobs with spec {@code specId} (a released key is deleted from state too). */
    public void disallow(long assetId, ContentId specId) {
        byte[] spec = JobSpecDigest.of(specId);
        if (!contracts.grants().jobHasAccess(assetId, spec)) {
            throw HyphaException.input("jobs with spec " + specId + " hold no grant on asset #" + assetId);
        }
        contracts.grants().revokeJob(assetId, spec);
    }

    /**
     * Releases {@code assetId}'s data key to the provider holding order {@code orderId}'s lease: the order's spec
     * must hold a job grant on the asset, the order must be leased now, and {@code card} must be signed by the
     * lease's provider.
     *
     * @throws HyphaException (INPUT) naming which of these fails
     */
    public Address release(long assetId, BigInteger orderId, DataKeyCard card) {
        ComputeOrder order = contracts.compute().order(orderId);
        byte[] spec = Hex.decode(order.spec(), 32, "order spec");
        if (!contracts.grants().jobHasAccess(assetId, spec)) {
            throw HyphaException.input("order " + orderId + "'s spec " + order.spec() + " holds no job grant on asset #"
                    + assetId + ": allow it first with `hypha data grant-job " + assetId + " --spec SPEC`");
        }
        if (order.state() != OrderState.LEASED) {
            throw HyphaException.input("order " + orderId + " is " + order.state().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not leased: the key goes only to the provider holding a lease");
        }
        if (!card.account().equals(order.provider())) {
            throw HyphaException.input("the data key card is " + card.account().toChecksumString() + "'s, but order "
                    + orderId + " is leased to " + order.provider().toChecksumString());
        }
        contracts.grants().grantJob(assetId, spec, KeyWrap.wrap(owner.dataKey(assetId), card.publicKey()));
        return order.provider();
    }

    /**
     * The 32-byte digest an order carries for a spec: the sha2-256 of the spec's content id, as
     * {@code compute.JobSpecs.digest} computes it (repeated here so that compute's job runner may depend on this package
     * without a cycle).
     */
    static final class JobSpecDigest {
        private JobSpecDigest() {}

        static byte[] of(ContentId specId) {
            if (specId.codec() != ContentId.RAW
                    || specId.multihash().code() != dev.hypha.core.cid.Multihash.SHA2_256) {
                throw HyphaException.input("spec id " + specId + " is not a raw sha2-256 block: a job spec is one small file");
            }
            return specId.multihash().digest();
        }
    }
}
