package dev.hypha.incentives.yuma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.incentives.fixed.I32F32;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * subtensor's epoch tests (tests/epoch.rs, sparse path), replayed from their scenario files: the Yuma3 scenarios
 * with every dividend within the 1e-3 the Rust test allows, and every bond too (which the Rust test means to check);
 * the classic-Yuma tests exactly, u16 for u16 and unit for unit, as the Rust test asserts them.
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
        "test_bonds.json",
        "test_1_graph.json",
        "test_10_graph.json",
        "test_active_stake.json",
        "test_outdated_weights.json",
        "test_epoch_does_not_mask_outside_window_but_masks_inside.json",
        "test_can_set_self_weight_as_subnet_owner.json",
        "test_epoch_outputs_single_staker_registered_no_weights.json",
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

    /** The checks bite: the first Yuma3 scenario run as classic Yuma misses its expectations. */
    @org.junit.jupiter.api.Test
    void aWrongModelFailsTheChecks() throws Exception {
        String path = "/yuma/test_yuma_3_kappa_moves_first.json";
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(getClass().getResourceAsStream(path));
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("state").get("hyperparameters")).put("yuma3_enabled", false);
        java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("yuma").resolve("mutant.json");
        java.nio.file.Files.writeString(tmp, mapper.writeValueAsString(doc));
        List<ScenarioReplay.Check> checks = ScenarioReplay.fromFile(tmp).run();
        assertThat(checks).anyMatch(c -> Math.abs(c.actual() - c.expected()) > c.tolerance());
    }
}
