package dev.hypha.ml.train.run;

import static dev.hypha.ml.train.run.SpecFields.error;
import static dev.hypha.ml.train.run.SpecFields.integer;
import static dev.hypha.ml.train.run.SpecFields.keys;
import static dev.hypha.ml.train.run.SpecFields.real;
import static dev.hypha.ml.train.run.SpecFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.LayerSyntax;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a training spec from TOML. Specs come from buyers of training compute, so every key is checked: unknown keys
 * are errors (a typo must not silently train with a default), numbers are bounded, and messages name the key and what
 * would be right.
 *
 * <pre>
 * name = "fashion-mnist-mlp"
 * dataset = "bafk..."          # content id (or the name of an imported dataset)
 * split = "train"              # optional
 * data_asset = 7               # optional (compute-to-data): the dataset's files are sealed asset 7, opened in the job
 * init = "bafk..."             # optional: content id of a model file the weights start from (a DiLoCo round's global)
 * seed = 42
 * steps = 4000
 * batch = 64
 * checkpoint_every = 500
 * layers = ["flatten", "linear 784 256", "relu", "linear 256 10"]
 * [optimizer]
 * kind = "adamw"               # or "sgd"
 * learning_rate = 0.001
 * min_learning_rate = 0.0      # cosine floor
 * warmup_steps = 100
 * weight_decay = 0.01
 * clip_norm = 1.0              # optional, 0 = off
 * beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 (adamw); momentum = 0.9 (sgd)
 * </pre>
 */
public final class TrainSpecParser {
    private TrainSpecParser() {}

    private static final Set<String> TOP = Set.of("name", "dataset", "split", "seed", "steps", "batch", "checkpoint_every", "layers", "optimizer",
            "data_asset", "init");
    private static final Set<String> OPTIMIZER = Set.of("kind", "learning_rate", "min_learning_rate", "warmup_steps", "weight_decay",
            "beta1", "beta2", "epsilon", "momentum", "clip_norm");

    public static TrainSpec parse(String source, byte[] toml) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            throw error(source, "is not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw error(source, "is empty");
        }
        keys(source, root, TOP, "");
        String name = text(source, root, "name", null);
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,127}")) {
            throw error(source, "name '" + name + "' must be 1-128 lower-case letters, digits, '.', '_' or '-'");
        }
        JsonNode layersNode = root.path("layers");
        if (!layersNode.isArray() || layersNode.isEmpty() || layersNode.size() > 256) {
            throw error(source, "layers must be a list of 1 to 256 layer lines, e.g. layers = [\"flatten\", \"linear 784 10\"]");
        }
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : layersNode) {
            if (!l.isTextual()) {
                throw error(source, "every entry of layers must be a string such as \"linear 784 256\", found " + l);
            }
            try {
                layers.add(LayerSyntax.parse(l.asText()));
            } catch (IllegalArgumentException e) {
                throw error(source, e.getMessage());
            }
        }
        JsonNode opt = root.path("optimizer");
        if (!opt.isObject()) {
            throw error(source, "needs an [optimizer] table with at least kind and learning_rate");
        }
        keys(source, opt, OPTIMIZER, "optimizer.");
        String kind = text(source, opt, "kind", null);
        if (!kind.equals("adamw") && !kind.equals("sgd")) {
            throw error(source, "optimizer.kind must be \"adamw\" or \"sgd\", found \"" + kind + "\"");
        }
        long steps = integer(source, root, "steps", null, 1, 1_000_000_000L);
        float lr = real(source, opt, "learning_rate", null, 1e-9, 10);
        TrainSpec.OptimizerSpec optimizer = new TrainSpec.OptimizerSpec(kind, lr,
                real(source, opt, "min_learning_rate", 0.0, 0, lr),
                integer(source, opt, "warmup_steps", 0L, 0, steps),
                real(source, opt, "weight_decay", 0.0, 0, 1),
                real(source, opt, "beta1", 0.9, 0, 0.999999),
                real(source, opt, "beta2", 0.999, 0, 0.999999),
                real(source, opt, "epsilon", 1e-8, 1e-12, 1),
                real(source, opt, "momentum", 0.9, 0, 0.999999),
                real(source, opt, "clip_norm", 0.0, 0, 1e6));
        return new TrainSpec(name, text(source, root, "dataset", null), text(source, root, "split", "train"),
                integer(source, root, "seed", null, Long.MIN_VALUE, Long.MAX_VALUE), steps,
                (int) integer(source, root, "batch", null, 1, 65_536),
                integer(source, root, "checkpoint_every", 0L, 0, 1_000_000_000L), layers, optimizer,
                integer(source, root, "data_asset", 0L, 1, Long.MAX_VALUE), init(source, root));
    }

    private static String init(String source, JsonNode root) {
        if (!root.has("init")) {
            return "";
        }
        String text = text(source, root, "init", null);
        try {
            return dev.hypha.core.cid.ContentId.parse(text).toString();
        } catch (dev.hypha.core.errors.HyphaException e) {
            throw error(source, "init must be the content id of a model file (bafk...), found '" + text + "'");
        }
    }

}
