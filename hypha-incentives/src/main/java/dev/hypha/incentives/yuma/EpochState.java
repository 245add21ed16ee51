package dev.hypha.incentives.yuma;

/**
 * Everything one epoch of one subnet (one mechanism) reads, per UID in UID order, in subtensor's units. It is the
 * epoch's whole input: the epoch is a pure function of it.
 *
 * @param currentBlock the block the epoch runs at
 * @param lastMechanismStepBlock {@code LastMechansimStepBlock} (0: none yet; then current_block − tempo is used)
 * @param emission the emission to distribute this epoch, smallest unit (u64, read unsigned)
 * @param ownerUid the subnet owner's UID, or -1 when the owner hotkey is not registered
 * @param stake stake weight per UID, smallest unit (u64, read unsigned): alpha + TaoWeight · root stake
 * @param validatorPermit {@code ValidatorPermit} as stored by the previous epoch
 * @param lastUpdate {@code LastUpdate}: block of each UID's last weights (commit block under commit-reveal)
 * @param blockAtRegistration block each UID was last registered at
 * @param commitBlock earliest unexpired weight commit per UID, -1 (u64::MAX) for none; read only under commit-reveal
 * @param weights {@code Weights}: u16 row per validator as stored (max-upscaled at set time)
 * @param bonds {@code Bonds}: u16 row per validator as stored by the previous epoch
 */
public record EpochState(
        Hyperparameters hyperparameters,
        long currentBlock,
        long lastMechanismStepBlock,
        long emission,
        int ownerUid,
        long[] stake,
        boolean[] validatorPermit,
        long[] lastUpdate,
        long[] blockAtRegistration,
        long[] commitBlock,
        U16Rows weights,
        U16Rows bonds) {

    public static final long NO_COMMIT = -1L; // u64::MAX

    public EpochState {
        int n = stake.length;
        requireLength("validator_permit", validatorPermit.length, n);
        requireLength("last_update", lastUpdate.length, n);
        requireLength("block_at_registration", blockAtRegistration.length, n);
        requireLength("commit_block", commitBlock.length, n);
        requireLength("weights", weights.rows(), n);
        requireLength("bonds", bonds.rows(), n);
        java.math.BigInteger total = java.math.BigInteger.ZERO;
        for (long s : stake) total = total.add(new java.math.BigInteger(Long.toUnsignedString(s)));
        if (total.bitLength() > 63) {
            // subtensor sums stake in I64F64 without overflow checks; beyond this its sum would wrap
            throw new IllegalArgumentException("stake: total " + total + " exceeds 2^63-1, the integer range of I64F64");
        }
        if (ownerUid != -1 && (ownerUid < 0 || ownerUid >= n)) {
            throw new IllegalArgumentException("owner_uid: " + ownerUid + " is not a UID of this subnet (0.." + (n - 1) + ")");
        }
    }

    private static void requireLength(String field, int actual, int n) {
        if (actual != n) throw new IllegalArgumentException(field + ": " + actual + " entries, expected one per UID (" + n + ")");
    }

    public int n() {
        return stake.length;
    }
}
