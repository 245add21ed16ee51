package dev.hypha.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.FrozenBase;
import dev.hypha.ml.train.data.FinetuneData;
import dev.hypha.node.compute.FinetuneSpec;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import dev.hypha.node.pools.LmPoolScorer;
import dev.hypha.node.pools.PoolScorer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hypha data pool score POOL --spec LORA.toml --base MODEL.gguf --held-out FILE}: a language-model pool's
 * scoring ({@link LmPoolScorer}), the branch {@code score} takes when the spec is the LoRA form. The spec's content ids
 * pin what every validator measures against: its base_model must be --base's and its data --held-out's.
 */
final class LanguagePoolScoring {
    private final CommandSpec spec;
    private final long poolId;
    private final List<URI> from;
    private final Integer threads;
    private final boolean dryRun;

    LanguagePoolScoring(CommandSpec spec, long poolId, List<URI> from, Integer threads, boolean dryRun) {
        this.spec = spec;
        this.poolId = poolId;
        this.from = List.copyOf(from);
        this.threads = threads;
        this.dryRun = dryRun;
    }

    /** Whether the spec is the LoRA form (a top-level {@code kind}), so the pool is a language-model pool. */
    static boolean isLoraSpec(Path file, byte[] toml) {
        try {
            JsonNode root = new TomlMapper().readTree(toml);
            return root != null && root.isObject() && root.has("kind");
        } catch (IOException e) {
            throw HyphaException.input("--spec " + file + " is not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    int run(Path specFile, byte[] bytes, Path baseFile, Path heldOutFile, int evalWindows) {
        if (!(JobSpecs.read(specFile.toString(), bytes, JobLimits.DEFAULT) instanceof Job.Finetune(FinetuneSpec lora))) {
            throw HyphaException.input("--spec " + specFile + " is not a LoRA spec");
        }
        if (evalWindows < 1 || evalWindows > 256) throw HyphaException.input("--eval-windows must be 1 to 256, was " + evalWindows);
        requireFile(baseFile, "--base", lora.baseModel(), "base_model");
        requireFile(heldOutFile, "--held-out", lora.data(), "data");
        LmPoolScorer.Probe probe;
        try (GgufFile gguf = GgufFile.open(baseFile)) {
            Decoder base = FrozenBase.load(new GgufModelSource(gguf));
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            ChatTemplate template = ChatTemplate.fromGguf(gguf);
            int[] heldOut;
            try {
                heldOut = FinetuneData.read(heldOutFile, tokenizer, template).stream();
            } catch (IllegalArgumentException e) {
                throw HyphaException.input("--held-out " + heldOutFile + ": " + e.getMessage());
            }
            probe = new LmPoolScorer.Probe(base, tokenizer, template, lora.options(), heldOut, evalWindows);
        }
        try (Session session = Session.of(spec)) {
            Credentials key = session.credentials();
            HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
            LmPoolScorer scorer = new LmPoolScorer(session.home(), contracts, key, from,
                    () -> session.chain().latestBlock().getTimestamp().longValueExact(), LmPoolScorer.LIMITS);
            scorer.requireMayScore(poolId);
            PrintWriter out = session.out();
            PrintWriter err = session.err();
            LmPoolScorer.Report report;
            try (Parallel parallel = new Parallel(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
                report = scorer.score(poolId, probe, new FloatMatMul(parallel), line -> {
                    err.println(TerminalText.line(line));
                    err.flush();
                });
            }
            out.println(String.format(Locale.ROOT, "Pool #%d: held-out loss %.4f with every contribution (base %.4f; %d windows of %s)",
                    poolId, report.lossWithAll(), report.baseLoss(), evalWindows, lora.data()));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"CONTRIBUTION", "CONTRIBUTOR", "DATASET", "TOKENS", "LOSS WITHOUT", "SAVES", "SCORE"});
            for (LmPoolScorer.Scored s : report.scored()) {
                rows.add(new String[] {"#" + s.entry().contributionId(), s.entry().contributor().toChecksumString(),
                        "#" + s.entry().assetId(), Integer.toString(s.entry().samples()),
                        String.format(Locale.ROOT, "%.4f", s.lossWithout()),
                        String.format(Locale.ROOT, "%+.4f nats", s.lossSaved()),
                        s.entry().own() ? "(own)" : Long.toString(s.score())});
            }
            Table.print(out, rows, 3, 4, 5, 6);
            for (PoolScorer.Skipped s : report.skipped()) {
                out.println("Unscored contribution #" + s.contributionId() + " of " + s.contributor().toChecksumString()
                        + ": " + TerminalText.line(s.reason()));
            }
            if (report.unexamined() > 0) {
                out.println("Unscored: the contributions after the first " + PoolScorer.MAX_EXAMINED
                        + " (not examined: this scorer looks at that many per pool)");
            }
            if (dryRun) {
                out.println("Dry run: nothing posted");
            } else {
                List<LmPoolScorer.Scored> posted = scorer.post(report, line -> out.println(TerminalText.line(line)));
                out.println("Posted " + posted.size() + " score(s) to pool #" + poolId + " as "
                        + Address.parse(key.getAddress()).toChecksumString());
            }
        }
        return ExitCodes.OK;
    }

    private static void requireFile(Path file, String option, ContentId expected, String key) {
        if (file == null) throw HyphaException.input("a LoRA probe needs " + option + " FILE (the spec's " + key + ")");
        if (!Files.isRegularFile(file)) throw HyphaException.input(option + " " + file + " is not a readable file");
        ContentId actual = ContentIds.of(file);
        if (!actual.equals(expected)) {
            throw HyphaException.input(option + " " + file + " is " + actual + ", but the spec's " + key + " is " + expected);
        }
    }
}
