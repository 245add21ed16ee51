package dev.hypha.incentives.yuma;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Reads epoch state files and writes epoch results as JSON, in subtensor's units and names (see the README's
 * "Yuma consensus off-chain" section for the format). The state is untrusted input: every field is checked for
 * type and range, errors name the field, and sizes are bounded (at most {@link #MAX_UIDS} UIDs, so the work is
 * bounded by O(n²) for the epoch's dense steps).
 */
public final class EpochStateJson {
    /** u16 UIDs: subtensor cannot address more (its on-chain limit is far lower: 256 per subnet). */
    public static final int MAX_UIDS = 65_536;
    /** Total stake must fit I64F64's integer part, where subtensor sums it. */
    private static final BigInteger MAX_TOTAL_STAKE = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Set<String> TOP_FIELDS = Set.of("current_block", "last_mechanism_step_block", "emission",
            "owner_uid", "hyperparameters", "neurons");
    private static final Set<String> HP_FIELDS = Set.of("kappa", "bonds_penalty", "bonds_moving_average",
            "liquid_alpha_enabled", "alpha_low", "alpha_high", "alpha_sigmoid_steepness", "yuma3_enabled",
            "max_allowed_validators", "stake_threshold", "commit_reveal_weights_enabled", "tempo",
            "activity_cutoff_factor_milli");
    private static final Set<String> NEURON_FIELDS = Set.of("uid", "stake", "validator_permit", "last_update",
            "block_at_registration", "commit_block", "weights", "bonds");

    private final ObjectMapper mapper = new ObjectMapper();

    /** Thrown for a state file that is not valid; the message names the field. */
    public static final class InvalidStateException extends IllegalArgumentException {
        public InvalidStateException(String message) {
            super(message);
        }
    }

    public EpochState read(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidStateException("state: not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new InvalidStateException("state: expected a JSON object");
        rejectUnknown(root, TOP_FIELDS, "");
        Hyperparameters hp = hyperparameters(root.get("hyperparameters"));
        JsonNode neurons = root.get("neurons");
        if (neurons == null || !neurons.isArray()) throw new InvalidStateException("neurons: expected an array of UIDs");
        int n = neurons.size();
        if (n > MAX_UIDS) throw new InvalidStateException("neurons: " + n + " UIDs, at most " + MAX_UIDS);

        long[] stake = new long[n];
        boolean[] permit = new boolean[n];
        long[] lastUpdate = new long[n];
        long[] registered = new long[n];
        long[] commit = new long[n];
        int[][] wCols = new int[n][];
        int[][] wVals = new int[n][];
        int[][] bCols = new int[n][];
        int[][] bVals = new int[n][];
        BigInteger totalStake = BigInteger.ZERO;
        for (int i = 0; i < n; i++) {
            String at = "neurons[" + i + "]";
            JsonNode neuron = neurons.get(i);
            if (!neuron.isObject()) throw new InvalidStateException(at + ": expected an object");
            rejectUnknown(neuron, NEURON_FIELDS, at + ".");
            long uid = unsigned(neuron, "uid", at + ".uid", BigInteger.valueOf(n - 1L), null).longValue();
            if (uid != i) throw new InvalidStateException(at + ".uid: " + uid + ", expected " + i + " (neurons are listed in UID order)");
            BigInteger s = unsigned(neuron, "stake", at + ".stake", U64_MAX, BigInteger.ZERO);
            totalStake = totalStake.add(s);
            stake[i] = s.longValue();
            permit[i] = bool(neuron, "validator_permit", at + ".validator_permit", false);
            lastUpdate[i] = unsigned(neuron, "last_update", at + ".last_update", U64_MAX, BigInteger.ZERO).longValue();
            registered[i] = unsigned(neuron, "block_at_registration", at + ".block_at_registration", U64_MAX, BigInteger.ZERO).longValue();
            JsonNode c = neuron.get("commit_block");
            commit[i] = c == null || c.isNull() ? EpochState.NO_COMMIT
                    : unsigned(neuron, "commit_block", at + ".commit_block", U64_MAX, null).longValue();
            int[][] w = pairs(neuron.get("weights"), at + ".weights", n);
            wCols[i] = w[0];
            wVals[i] = w[1];
            int[][] b = pairs(neuron.get("bonds"), at + ".bonds", n);
            bCols[i] = b[0];
            bVals[i] = b[1];
        }
        if (totalStake.compareTo(MAX_TOTAL_STAKE) > 0) {
            throw new InvalidStateException("neurons[*].stake: total " + totalStake + " exceeds 2^63-1, the integer range "
                    + "of the I64F64 sum subtensor computes");
        }
        long currentBlock = unsigned(root, "current_block", "current_block", U64_MAX, null).longValue();
        long lms = unsigned(root, "last_mechanism_step_block", "last_mechanism_step_block", U64_MAX, BigInteger.ZERO).longValue();
        long emission = unsigned(root, "emission", "emission", U64_MAX, null).longValue();
        JsonNode owner = root.get("owner_uid");
        int ownerUid = owner == null || owner.isNull() ? -1
                : unsigned(root, "owner_uid", "owner_uid", BigInteger.valueOf(Math.max(0, n - 1L)), null).intValue();
        if (ownerUid >= n) throw new InvalidStateException("owner_uid: " + ownerUid + " is not a UID (there are " + n + ")");
        return new EpochState(hp, currentBlock, lms, emission, ownerUid, stake, permit, lastUpdate, registered, commit,
                new U16Rows(wCols, wVals), new U16Rows(bCols, bVals));
    }

    private Hyperparameters hyperparameters(JsonNode node) {
        Hyperparameters d = Hyperparameters.subtensorDefaults();
        if (node == null || node.isNull()) return d;
        if (!node.isObject()) throw new InvalidStateException("hyperparameters: expected an object");
        rejectUnknown(node, HP_FIELDS, "hyperparameters.");
        BigInteger u16 = BigInteger.valueOf(65_535);
        String p = "hyperparameters.";
        Hyperparameters hp = new Hyperparameters(
                unsigned(node, "kappa", p + "kappa", u16, BigInteger.valueOf(d.kappa())).intValue(),
                unsigned(node, "bonds_penalty", p + "bonds_penalty", u16, BigInteger.valueOf(d.bondsPenalty())).intValue(),
                unsigned(node, "bonds_moving_average", p + "bonds_moving_average", U64_MAX,
                        BigInteger.valueOf(d.bondsMovingAverage())).longValue(),
                bool(node, "liquid_alpha_enabled", p + "liquid_alpha_enabled", d.liquidAlphaEnabled()),
                unsigned(node, "alpha_low", p + "alpha_low", u16, BigInteger.valueOf(d.alphaLow())).intValue(),
                unsigned(node, "alpha_high", p + "alpha_high", u16, BigInteger.valueOf(d.alphaHigh())).intValue(),
                signedI16(node, "alpha_sigmoid_steepness", p + "alpha_sigmoid_steepness", d.alphaSigmoidSteepness()),
                bool(node, "yuma3_enabled", p + "yuma3_enabled", d.yuma3Enabled()),
                unsigned(node, "max_allowed_validators", p + "max_allowed_validators", u16,
                        BigInteger.valueOf(d.maxAllowedValidators())).intValue(),
                unsigned(node, "stake_threshold", p + "stake_threshold", U64_MAX, BigInteger.valueOf(d.stakeThreshold())).longValue(),
                bool(node, "commit_reveal_weights_enabled", p + "commit_reveal_weights_enabled", d.commitRevealWeightsEnabled()),
                unsigned(node, "tempo", p + "tempo", u16, BigInteger.valueOf(d.tempo())).intValue(),
                unsigned(node, "activity_cutoff_factor_milli", p + "activity_cutoff_factor_milli",
                        BigInteger.valueOf(0xFFFF_FFFFL), BigInteger.valueOf(d.activityCutoffFactorMilli())).longValue());
        return hp;
    }

    /** [[uid, u16], ...] with UIDs of this subnet, no duplicates, at most one pair per UID. */
    private static int[][] pairs(JsonNode node, String field, int n) {
        if (node == null || node.isNull()) return new int[][] {new int[0], new int[0]};
        if (!node.isArray()) throw new InvalidStateException(field + ": expected an array of [uid, value] pairs");
        if (node.size() > n) throw new InvalidStateException(field + ": " + node.size() + " pairs, more than the " + n + " UIDs");
        int[] cols = new int[node.size()];
        int[] vals = new int[node.size()];
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < node.size(); k++) {
            JsonNode pair = node.get(k);
            String at = field + "[" + k + "]";
            if (!pair.isArray() || pair.size() != 2) throw new InvalidStateException(at + ": expected [uid, value]");
            cols[k] = integerIn(pair.get(0), at + "[0] (uid)", n - 1L);
            vals[k] = integerIn(pair.get(1), at + "[1] (u16 value)", 65_535);
            if (!seen.add(cols[k])) throw new InvalidStateException(at + ": uid " + cols[k] + " appears twice in the row");
        }
        return new int[][] {cols, vals};
    }

    private static int integerIn(JsonNode v, String field, long max) {
        if (v == null || !v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().compareTo(BigInteger.valueOf(max)) > 0) {
            throw new InvalidStateException(field + ": expected an integer in 0.." + max + ", got " + v);
        }
        return v.intValue();
    }

    private static BigInteger unsigned(JsonNode parent, String name, String field, BigInteger max, BigInteger dflt) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) {
            if (dflt == null) throw new InvalidStateException(field + ": required");
            return dflt;
        }
        if (!v.isIntegralNumber()) throw new InvalidStateException(field + ": expected an integer, got " + v);
        BigInteger b = v.bigIntegerValue();
        if (b.signum() < 0 || b.compareTo(max) > 0) throw new InvalidStateException(field + ": " + b + " is outside 0.." + max);
        return b;
    }

    private static int signedI16(JsonNode parent, String name, String field, int dflt) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || v.bigIntegerValue().abs().compareTo(BigInteger.valueOf(32_768)) > 0
                || v.bigIntegerValue().compareTo(BigInteger.valueOf(32_767)) > 0) {
            throw new InvalidStateException(field + ": expected an i16 (-32768..32767), got " + v);
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode parent, String name, String field, boolean dflt) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new InvalidStateException(field + ": expected true or false, got " + v);
        return v.booleanValue();
    }

    private static void rejectUnknown(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!known.contains(name)) throw new InvalidStateException(prefix + name + ": unknown field (known: " + new java.util.TreeSet<>(known) + ")");
        }
    }

    /** The result as JSON: per-UID objects in UID order; bonds and validator_permit are ready to feed back. */
    public ObjectNode write(EpochResult r) {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode neurons = root.putArray("neurons");
        for (int i = 0; i < r.n(); i++) {
            ObjectNode u = neurons.addObject();
            u.put("uid", i);
            u.put("active", r.active()[i]);
            u.put("stake_weight", r.stakeWeight()[i]);
            u.put("consensus", r.consensus()[i]);
            u.put("validator_trust", r.validatorTrust()[i]);
            u.put("incentive", r.incentive()[i]);
            u.put("dividends", r.dividends()[i]);
            u.put("server_emission", unsignedNumber(r.serverEmission()[i]));
            u.put("validator_emission", unsignedNumber(r.validatorEmission()[i]));
            u.put("emission", unsignedNumber(r.emission()[i]));
            u.put("validator_permit", r.validatorPermit()[i]);
            ArrayNode bonds = u.putArray("bonds");
            for (int k = 0; k < r.bonds().cols()[i].length; k++) {
                bonds.addArray().add(r.bonds().cols()[i][k]).add(r.bonds().values()[i][k]);
            }
        }
        return root;
    }

    /**
     * The state for the next epoch: the input state with what subtensor stores after an epoch written back (each
     * UID's bonds and validator permit) and {@code last_mechanism_step_block} set to this epoch's block, as
     * run_coinbase records it. Weights, stake and blocks are the caller's to change.
     */
    public String nextState(String stateJson, EpochResult r) {
        EpochState checked = read(stateJson); // same validation as the epoch itself
        try {
            ObjectNode root = (ObjectNode) mapper.readTree(stateJson);
            root.put("last_mechanism_step_block", unsignedNumber(checked.currentBlock()));
            JsonNode neurons = root.get("neurons");
            for (int i = 0; i < r.n(); i++) {
                ObjectNode u = (ObjectNode) neurons.get(i);
                u.put("validator_permit", r.validatorPermit()[i]);
                ArrayNode bonds = u.putArray("bonds");
                for (int k = 0; k < r.bonds().cols()[i].length; k++) {
                    bonds.addArray().add(r.bonds().cols()[i][k]).add(r.bonds().values()[i][k]);
                }
            }
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new InvalidStateException("state: not valid JSON: " + e.getOriginalMessage());
        }
    }

    public String writeString(EpochResult r) {
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(write(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger unsignedNumber(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
