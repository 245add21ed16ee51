package dev.hypha.incentives.yuma;

import static dev.hypha.incentives.fixed.Fx.assertSparseClose;
import static dev.hypha.incentives.fixed.Fx.f64;
import static dev.hypha.incentives.fixed.Fx.vec;

import org.junit.jupiter.api.Test;

/** Unit tests of run_epoch.rs's bond helpers from subtensor's tests/epoch.rs, on the sparse path. */
class SubtensorRunEpochTest {
    /**
     * test_liquid_alpha_equal_values_against_itself: liquid alpha with alpha_low == alpha_high == 0.1 gives the bonds
     * of a fixed alpha 0.1 (bonds_moving_average 900_000), within 1e-3. The Rust test uses the dense compute_bonds;
     * this is compute_bonds_sparse on the same matrices with every entry stored, zeros included, as set_weights
     * stores a full row. (With zeros left out the two sparse paths differ by design: mat_ema_alpha_sparse keeps only
     * entries that have a new weight, mat_ema_sparse also decays the old ones.)
     */
    @Test
    void test_liquid_alpha_equal_values_against_itself() {
        SparseMatrix weights = full(new double[] {0, 0.1, 0, 0, 0.2, 0.4, 0, 0.3, 0.1, 0, 0.4, 0.5}, 4);
        SparseMatrix bonds = full(new double[] {0.1, 0.1, 0.5, 0, 0, 0.4, 0.5, 0.1, 0.1, 0, 0.4, 0.2}, 4);
        long[] consensus = vec(0.3, 0.2, 0.1, 0.4);
        int tenth = 65535 / 10;
        Hyperparameters on = new Hyperparameters(32_767, 65_535, 900_000, true, tenth, tenth, 1000, true, 64, 0, false, 360, 13_889);
        Hyperparameters off = new Hyperparameters(32_767, 65_535, 900_000, false, tenth, tenth, 1000, true, 64, 0, false, 360, 13_889);
        assertSparseClose(YumaEpoch.yuma3Bonds(on, weights, bonds, consensus),
                YumaEpoch.yuma3Bonds(off, weights, bonds, consensus), f64(1e-3));
    }

    /** A matrix with every entry stored (the dense test matrices as sparse rows, zeros kept). */
    private static SparseMatrix full(double[] v, int rows) {
        int cols = v.length / rows;
        SparseMatrix.Builder b = new SparseMatrix.Builder(rows);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) b.add(c, dev.hypha.incentives.fixed.Fx.f32(v[r * cols + c]));
            b.endRow(r);
        }
        return b.build();
    }
}
