package dev.hypha.chain.assets;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/**
 * A buyer's paid access request held by AccessGrants until the asset's owner delivers the key (or it is declined or
 * refunded).
 *
 * @param deadline     last second the owner may deliver (chain time); the buyer may take a refund after it
 * @param recipientKey the buyer's public encryption key (32 bytes) the data key is to be encrypted to
 */
public record AccessRequest(long id, long assetId, State state, long deadline, Address buyer, Address token,
                            BigInteger amount, byte[] recipientKey) {
    /** Where a request stands, in the contract's order (its {@code RequestState} enum). */
    public enum State {
        NONE, OPEN, FULFILLED, DECLINED, REFUNDED;

        /** The state the contract encodes as {@code ordinal}. */
        public static State of(int ordinal) {
            State[] all = values();
            if (ordinal < 0 || ordinal >= all.length) {
                throw new IllegalArgumentException("unknown request state " + ordinal);
            }
            return all[ordinal];
        }
    }

    public AccessRequest {
        recipientKey = recipientKey.clone();
    }

    @Override
    public byte[] recipientKey() {
        return recipientKey.clone();
    }
}
