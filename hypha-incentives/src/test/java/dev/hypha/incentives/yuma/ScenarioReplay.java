package dev.hypha.incentives.yuma;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.incentives.fixed.Fx;
import dev.hypha.incentives.fixed.I32F32;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a subtensor epoch test translated into a scenario file (src/test/resources/yuma): an initial state in the
 * {@code hypha subnet epoch} format, then steps that do what the Rust test does between epochs: set weights (stored
 * max-upscaled, {@code last_update} = the current block, as {@code set_weights} does), reset bonds to a UID
 * ({@code do_reset_bonds}), advance blocks and run an epoch whose stored bonds and permits feed the next one.
 */
final class ScenarioReplay {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Check(String where, long actual, long expected, long tolerance) {}

    private final JsonNode doc;
    private EpochState state;
    private final List<Check> checks = new ArrayList<>();
    private final Map<String, Object> lastTrace = new HashMap<>();
    private EpochResult lastResult;

    ScenarioReplay(String resource) {
        this(readResource(resource));
    }

    private ScenarioReplay(JsonNode doc) {
        this.doc = doc;
        try {
            state = new EpochStateJson().read(MAPPER.writeValueAsString(doc.get("state")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ScenarioReplay fromFile(java.nio.file.Path file) throws IOException {
        return new ScenarioReplay(MAPPER.readTree(file.toFile()));
    }

    private static JsonNode readResource(String resource) {
        try (InputStream in = ScenarioReplay.class.getResourceAsStream("/yuma/" + resource)) {
            if (in == null) throw new IllegalArgumentException("no scenario " + resource);
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs every step and returns every comparison the scenario asks for (the caller asserts them). */
    List<Check> run() {
        for (JsonNode step : doc.get("steps")) {
            String where = step.has("epoch") ? "epoch " + step.get("epoch").asInt() : "setup";
            if (step.has("replace_neuron")) replaceNeuron(step.get("replace_neuron").asInt());
            if (step.has("advance_first")) advance(step.get("advance_first").asLong());
            if (step.has("set_weights")) setWeights(step.get("set_weights"));
            if (step.has("reset_bonds_for")) resetBonds(step.get("reset_bonds_for").asInt());
            advance(step.path("advance_blocks").asLong(1));
            lastTrace.clear();
            lastResult = YumaEpoch.run(state, lastTrace::put);
            if (step.has("expect")) collect(where, step.get("expect"), lastResult);
            state = withResult(state, lastResult);
        }
        return checks;
    }

    EpochResult lastResult() {
        return lastResult;
    }

    Map<String, Object> lastTrace() {
        return lastTrace;
    }

    private void setWeights(JsonNode rows) {
        int n = state.n();
        int[][] cols = copy(state.weights().cols());
        int[][] vals = copy(state.weights().values());
        long[] lastUpdate = state.lastUpdate().clone();
        for (JsonNode row : rows) {
            int uid = row.get(0).asInt();
            int[] uids = ints(row.get(1));
            int[] values = ints(row.get(2));
            cols[uid] = uids;
            vals[uid] = YumaMath.vecU16MaxUpscaleToU16(values);
            lastUpdate[uid] = state.currentBlock();
        }
        state = new EpochState(state.hyperparameters(), state.currentBlock(), state.lastMechanismStepBlock(),
                state.emission(), state.ownerUid(), state.stake(), state.validatorPermit(), lastUpdate,
                state.blockAtRegistration(), state.commitBlock(), new U16Rows(cols, vals), state.bonds());
    }

    /**
     * {@code replace_neuron} (subnets/uids.rs) at the current block: the UID's weight and bond rows go, weights to it
     * become 0 in place, its permit is cleared, its registration and last update are this block; the new hotkey has
     * no stake.
     */
    private void replaceNeuron(int uid) {
        int[][] wCols = copy(state.weights().cols());
        int[][] wVals = copy(state.weights().values());
        wCols[uid] = new int[0];
        wVals[uid] = new int[0];
        for (int i = 0; i < wCols.length; i++) {
            for (int k = 0; k < wCols[i].length; k++) if (wCols[i][k] == uid) wVals[i][k] = 0;
        }
        int[][] bCols = copy(state.bonds().cols());
        int[][] bVals = copy(state.bonds().values());
        bCols[uid] = new int[0];
        bVals[uid] = new int[0];
        boolean[] permit = state.validatorPermit().clone();
        permit[uid] = false;
        long[] registered = state.blockAtRegistration().clone();
        registered[uid] = state.currentBlock();
        long[] lastUpdate = state.lastUpdate().clone();
        lastUpdate[uid] = state.currentBlock();
        long[] stake = state.stake().clone();
        stake[uid] = 0;
        state = new EpochState(state.hyperparameters(), state.currentBlock(), state.lastMechanismStepBlock(),
                state.emission(), state.ownerUid(), stake, permit, lastUpdate, registered, state.commitBlock(),
                new U16Rows(wCols, wVals), new U16Rows(bCols, bVals));
    }

    /** {@code do_reset_bonds}: drop every bond to {@code uid}. */
    private void resetBonds(int uid) {
        U16Rows b = state.bonds();
        int[][] cols = new int[b.rows()][];
        int[][] vals = new int[b.rows()][];
        for (int i = 0; i < b.rows(); i++) {
            List<int[]> kept = new ArrayList<>();
            for (int k = 0; k < b.cols()[i].length; k++) {
                if (b.cols()[i][k] != uid) kept.add(new int[] {b.cols()[i][k], b.values()[i][k]});
            }
            cols[i] = kept.stream().mapToInt(p -> p[0]).toArray();
            vals[i] = kept.stream().mapToInt(p -> p[1]).toArray();
        }
        state = new EpochState(state.hyperparameters(), state.currentBlock(), state.lastMechanismStepBlock(),
                state.emission(), state.ownerUid(), state.stake(), state.validatorPermit(), state.lastUpdate(),
                state.blockAtRegistration(), state.commitBlock(), state.weights(), new U16Rows(cols, vals));
    }

    private void advance(long blocks) {
        state = new EpochState(state.hyperparameters(), state.currentBlock() + blocks, state.lastMechanismStepBlock(),
                state.emission(), state.ownerUid(), state.stake(), state.validatorPermit(), state.lastUpdate(),
                state.blockAtRegistration(), state.commitBlock(), state.weights(), state.bonds());
    }

    /** What subtensor stores after an epoch and reads in the next: the new bonds and validator permits. */
    static EpochState withResult(EpochState s, EpochResult r) {
        return new EpochState(s.hyperparameters(), s.currentBlock(), s.lastMechanismStepBlock(), s.emission(),
                s.ownerUid(), s.stake(), r.validatorPermit(), s.lastUpdate(), s.blockAtRegistration(), s.commitBlock(),
                s.weights(), r.bonds());
    }

    private void collect(String where, JsonNode expect, EpochResult r) {
        for (JsonNode b : expect.path("bonds_u16")) { // exact: [row, column, stored u16]
            int row = b.get(0).asInt();
            int col = b.get(1).asInt();
            checks.add(new Check(where + " bonds[" + row + "][" + col + "] (u16)", bondValue(r.bonds(), row, col),
                    b.get(2).asLong(), 0));
        }
        exact(where + " consensus", expect.path("consensus_u16"), r.consensus());
        exact(where + " incentive", expect.path("incentive_u16"), r.incentive());
        exact(where + " dividends", expect.path("dividends_u16"), r.dividends());
        for (JsonNode uid : expect.path("incentive_positive")) { // assert!(incentive > 0)
            int i = uid.asInt();
            checks.add(new Check(where + " incentive[" + i + "] > 0", Math.min(r.incentive()[i], 1), 1, 0));
        }
        for (JsonNode uid : expect.path("server_emission_positive")) { // assert!(emission > 0)
            int i = uid.asInt();
            checks.add(new Check(where + " server_emission[" + i + "] > 0", Long.compareUnsigned(r.serverEmission()[i], 0) > 0 ? 1 : 0, 1, 0));
        }
        JsonNode equal = expect.path("server_emission_equal");
        for (int k = 1; k < equal.size(); k++) {
            checks.add(new Check(where + " server_emission equal", r.serverEmission()[equal.get(k).asInt()],
                    r.serverEmission()[equal.get(0).asInt()], 0));
        }
        if (expect.has("total_emission_within")) { // assert_abs_diff_eq!(incentives + dividends, emitted, epsilon)
            long total = 0;
            for (int i = 0; i < r.n(); i++) total += r.serverEmission()[i] + r.validatorEmission()[i];
            JsonNode w = expect.get("total_emission_within");
            checks.add(new Check(where + " total emission", total, w.get(0).asLong(), w.get(1).asLong()));
        }
        JsonNode emission = expect.path("emission_u64");
        for (int i = 0; i < emission.size(); i++) {
            checks.add(new Check(where + " emission[" + i + "]", r.emission()[i], emission.get(i).asLong(), 0));
        }
        if (!expect.has("tolerance")) return;
        long tolerance = Fx.f64(Double.parseDouble(expect.get("tolerance").asText()));
        JsonNode dividends = expect.get("dividends");
        for (int i = 0; i < dividends.size(); i++) {
            // as the Rust test: u16_proportion_to_fixed(dividend) against fixed(target as f32)
            checks.add(new Check(where + " dividends[" + i + "]", I32F32.u16ProportionToFixed(r.dividends()[i]),
                    Fx.f32(Double.parseDouble(dividends.get(i).asText())), tolerance));
        }
        if (expect.has("bonds")) {
            int[] columns = ints(expect.get("bonds_columns"));
            JsonNode bonds = expect.get("bonds");
            for (int i = 0; i < bonds.size(); i++) {
                for (int c = 0; c < columns.length; c++) {
                    long actual = I32F32.u16ProportionToFixed(bondValue(r.bonds(), i, columns[c]));
                    checks.add(new Check(where + " bonds[" + i + "][uid " + columns[c] + "]", actual,
                            Fx.f32(Double.parseDouble(bonds.get(i).get(c).asText())), tolerance));
                }
            }
        }
    }

    private void exact(String what, JsonNode expected, int[] actual) {
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).isNull()) continue; // not asserted by the Rust test
            checks.add(new Check(what + "[" + i + "] (u16)", actual[i], expected.get(i).asLong(), 0));
        }
    }

    private static int bondValue(U16Rows bonds, int row, int col) {
        for (int k = 0; k < bonds.cols()[row].length; k++) {
            if (bonds.cols()[row][k] == col) return bonds.values()[row][k];
        }
        return 0;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    private static int[][] copy(int[][] a) {
        int[][] out = new int[a.length][];
        for (int i = 0; i < a.length; i++) out[i] = a[i].clone();
        return out;
    }
}
