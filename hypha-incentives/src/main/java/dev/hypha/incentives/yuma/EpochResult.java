package dev.hypha.incentives.yuma;

/**
 * One epoch's output per UID, in subtensor's stored units: u16 proportions for stake weight, consensus, validator
 * trust, incentive and dividends; the smallest unit for emissions. {@code bonds} and {@code validatorPermit} are
 * what subtensor stores for the next epoch, so feeding them back chains epochs.
 *
 * @param serverEmission miner (incentive) emission per UID
 * @param validatorEmission validator (dividend) emission per UID
 * @param emission {@code Emission}: the combined share, normalised on its own (what subtensor stores)
 */
public record EpochResult(
        boolean[] active,
        int[] stakeWeight,
        int[] consensus,
        int[] validatorTrust,
        int[] incentive,
        int[] dividends,
        long[] serverEmission,
        long[] validatorEmission,
        long[] emission,
        boolean[] validatorPermit,
        U16Rows bonds) {

    public int n() {
        return active.length;
    }
}
