package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.Multihash;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.run.LanguageModelSpec;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import java.io.IOException;

/**
 * Job specs as they travel: the order names a spec by the sha2-256 digest of its content id, and a provider reads the
 * spec it fetched as hostile input. The parser already refuses unknown keys and out-of-range numbers; this adds the
 * limits that decide a job's cost (steps, layers, batch, parameters) and the rules a remote job needs (the dataset named
 * by content id, checkpoints on so a restarted provider resumes).
 */
public final class JobSpecs {
    private JobSpecs() {}

    /** The digest an order carries for a spec: its content id's sha2-256 (specs are one raw block). */
    public static byte[] digest(ContentId specId) {
        if (specId.codec() != ContentId.RAW || specId.multihash().code() != Multihash.SHA2_256) {
            throw HyphaException.input("spec id " + specId + " is not a raw sha2-256 block: a job spec is one small file");
        }
        return specId.multihash().digest();
    }

    /** The spec's content id from an order's digest. */
    public static ContentId specId(byte[] digest) {
        if (digest.length != 32) {
            throw HyphaException.input("a spec digest is 32 bytes, got " + digest.length);
        }
        return new ContentId(ContentId.RAW, new Multihash(Multihash.SHA2_256, digest.clone()));
    }

    /**
     * Reads and checks a spec from outside: the LoRA fine-tuning form when it has a top-level {@code kind}, else the
     * classifier form.
     *
     * @param source names the spec in errors (its content id, or the file)
     * @throws HyphaException (INPUT) naming the first rule broken
     */
    public static Job read(String source, byte[] bytes, JobLimits limits) {
        if (bytes.length > limits.maxSpecBytes()) {
            throw HyphaException.input("job spec " + source + " is " + bytes.length + " bytes; at most " + limits.maxSpecBytes()
                    + " are accepted");
        }
        JsonNode root;
        try {
            root = new TomlMapper().readTree(bytes);
        } catch (IOException e) {
            throw HyphaException.input("job spec " + source + " is not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (FinetuneSpec.isFinetune(root)) {
            return new Job.Finetune(FinetuneSpec.parse(source, bytes, limits));
        }
        return new Job.Train(validate(source, bytes, limits));
    }

    /**
     * Reads and checks the classifier form.
     *
     * @throws HyphaException (INPUT) naming the first rule broken
     */
    public static TrainSpec validate(String source, byte[] bytes, JobLimits limits) {
        if (bytes.length > limits.maxSpecBytes()) {
            throw HyphaException.input("job spec " + source + " is " + bytes.length + " bytes; at most " + limits.maxSpecBytes()
                    + " are accepted");
        }
        if (LanguageModelSpec.isLanguageModel(bytes)) {
            throw HyphaException.input("job spec " + source + " trains a language model ([decoder] table); the compute market "
                    + "runs classifier specs and LoRA fine-tunes (kind = \"lora-finetune\")");
        }
        TrainSpec spec = TrainSpecParser.parse(source, bytes);
        if (spec.steps() > limits.maxSteps()) {
            throw HyphaException.input("job spec " + source + ": steps " + spec.steps() + " is more than the " + limits.maxSteps()
                    + " this provider accepts");
        }
        if (spec.layers().size() > limits.maxLayers()) {
            throw HyphaException.input("job spec " + source + ": " + spec.layers().size() + " layers; at most " + limits.maxLayers()
                    + " are accepted");
        }
        if (spec.batch() > limits.maxBatch()) {
            throw HyphaException.input("job spec " + source + ": batch " + spec.batch() + " is larger than " + limits.maxBatch());
        }
        long parameters = parameters(spec);
        if (parameters > limits.maxParameters()) {
            throw HyphaException.input("job spec " + source + ": " + parameters + " parameters; at most " + limits.maxParameters()
                    + " are accepted");
        }
        if (spec.checkpointEvery() < 1) {
            throw HyphaException.input("job spec " + source + ": checkpoint_every must be set (1.." + spec.steps()
                    + ") so a restarted provider resumes the job instead of starting over");
        }
        try {
            ContentId.parse(spec.dataset());
        } catch (RuntimeException e) {
            throw HyphaException.input("job spec " + source + ": dataset must be a content id (bafk...), found '" + abbreviate(spec.dataset())
                    + "'; a provider cannot resolve the names of your local store (see hypha dataset list)");
        }
        return spec;
    }

    /** Trainable parameters of the spec's layers, counted from their shapes without allocating anything. */
    public static long parameters(TrainSpec spec) {
        long total = 0;
        for (Layer layer : spec.layers()) {
            for (Layer.ParameterShape p : layer.parameters()) {
                long n = 1;
                for (int d : p.shape()) {
                    n = Math.multiplyExact(n, d);
                }
                total = Math.addExact(total, n);
            }
        }
        return total;
    }

    private static String abbreviate(String s) {
        String printable = s.codePoints().filter(c -> c >= 0x20 && c < 0x7f)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "...";
    }
}
