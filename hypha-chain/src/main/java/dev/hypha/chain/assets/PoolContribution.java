package dev.hypha.chain.assets;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/**
 * One item contributed to a data pool.
 *
 * @param score      the mean of its validators' scores (0..1,000,000), what the rewards follow
 * @param scoreCount how many validators scored it
 * @param claimed    rewards paid to its contributor so far
 */
public record PoolContribution(long id, long poolId, Address contributor, byte[] contentId, long score, long scoreCount,
                               BigInteger claimed) {
    public PoolContribution {
        contentId = contentId.clone();
    }

    @Override
    public byte[] contentId() {
        return contentId.clone();
    }
}
