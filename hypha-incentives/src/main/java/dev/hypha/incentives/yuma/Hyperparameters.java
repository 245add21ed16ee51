package dev.hypha.incentives.yuma;

/**
 * A subnet's epoch hyper-parameters, in subtensor's stored units and names.
 *
 * @param kappa consensus quantile as u16 proportion ({@code Kappa}; 32_767 is 0.5)
 * @param bondsPenalty β as u16 proportion ({@code BondsPenalty}; 65_535 clips bonds at consensus)
 * @param bondsMovingAverage {@code BondsMovingAverage} in millionths; the EMA coefficient is 1 − it/1e6
 * @param liquidAlphaEnabled {@code LiquidAlphaOn}: per-bond EMA coefficients from a sigmoid (Yuma3 only)
 * @param alphaLow low end of liquid alpha, u16 proportion ({@code AlphaValues.0})
 * @param alphaHigh high end of liquid alpha, u16 proportion ({@code AlphaValues.1})
 * @param alphaSigmoidSteepness {@code AlphaSigmoidSteepness} (i16; the sigmoid uses it / 100)
 * @param yuma3Enabled {@code Yuma3On}: proportional per-validator bonds instead of the classic column-normalised EMA
 * @param maxAllowedValidators {@code MaxAllowedValidators}: how many top-stake UIDs get a validator permit
 * @param stakeThreshold {@code StakeThreshold}: stake below it (smallest unit) counts as 0, owner exempt
 * @param commitRevealWeightsEnabled {@code CommitRevealWeightsEnabled}: also mask weights by commit block
 * @param tempo {@code Tempo} in blocks
 * @param activityCutoffFactorMilli {@code ActivityCutoffFactorMilli}: cutoff = max(1, factor · tempo / 1000) blocks
 */
public record Hyperparameters(
        int kappa,
        int bondsPenalty,
        long bondsMovingAverage,
        boolean liquidAlphaEnabled,
        int alphaLow,
        int alphaHigh,
        int alphaSigmoidSteepness,
        boolean yuma3Enabled,
        int maxAllowedValidators,
        long stakeThreshold,
        boolean commitRevealWeightsEnabled,
        int tempo,
        long activityCutoffFactorMilli) {

    /** subtensor's runtime initial values (runtime/src/lib.rs and the pallet defaults at snapshot 14bc6f9). */
    public static Hyperparameters subtensorDefaults() {
        return new Hyperparameters(32_767, 65_535, 900_000, false, 45_875, 58_982, 1000, false, 128, 0, false, 360,
                13_889);
    }

    /** {@code get_activity_cutoff_blocks}: factor · tempo / 1000 (saturating), at least 1. */
    public long activityCutoffBlocks() {
        long product;
        try {
            product = Math.multiplyExact(activityCutoffFactorMilli, (long) tempo);
        } catch (ArithmeticException overflow) {
            product = Long.MAX_VALUE; // unreachable for u32 · u16, kept for the saturating contract
        }
        return Math.max(1, product / 1000);
    }
}
