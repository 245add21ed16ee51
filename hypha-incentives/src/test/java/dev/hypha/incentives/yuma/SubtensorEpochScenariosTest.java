package dev.hypha.incentives.yuma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.incentives.fixed.I32F32;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * subtensor's Yuma3 scenario tests (tests/epoch.rs, sparse path), replayed from their scenario files: every
 * dividend within the 1e-3 the Rust test allows, and every bond too (which the Rust test means to check).
 */
class SubtensorEpochScenariosTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "test_yuma_3_kappa_moves_first.json",
        "test_yuma_3_kappa_moves_second.json",
        "test_yuma_3_kappa_moves_last.json",
        "test_yuma_3_one_epoch_switch.json",
        "test_yuma_3_liquid_alpha_disabled.json",
        "test_yuma_3_stable_miner.json",
        "test_yuma_3_bonds_reset.json",
    })
    void replaysWithinSubtensorsTolerance(String scenario) {
        List<ScenarioReplay.Check> checks = new ScenarioReplay(scenario).run();
        assertThat(checks).isNotEmpty();
        StringBuilder failures = new StringBuilder();
        for (ScenarioReplay.Check c : checks) {
            if (Math.abs(c.actual() - c.expected()) > c.tolerance()) {
                failures.append(c.where()).append(": ").append(I32F32.toPlainString(c.actual())).append(" expected ")
                        .append(I32F32.toPlainString(c.expected())).append('\n');
            }
        }
        assertThat(failures.toString()).as(scenario).isEmpty();
    }
}
