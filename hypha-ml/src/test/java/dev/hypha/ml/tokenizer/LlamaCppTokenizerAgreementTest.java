package dev.hypha.ml.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.testmodel.TestVocabularies.BpeStyle;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tokenizers against llama.cpp (node-llama-cpp 3.21.1 from node_modules) on the same GGUF files: fortunes
 * paragraphs, text around every 2000th non-ASCII character of the corpus, random strings over many Unicode blocks and
 * special-token edge cases, each with parseSpecial off and on, for all four test-vocabulary kinds. Tagged slow (it
 * starts node and loads llama.cpp); run with
 * {@code ./mvnw -pl hypha-ml -am verify -Dhypha.test.excludedGroups=none -Dgroups=slow
 * -Dtest=LlamaCppTokenizerAgreementTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("slow")
class LlamaCppTokenizerAgreementTest {
    @TempDir Path dir;

    @Test
    void tokenIdsMatchLlamaCpp() throws Exception {
        Path root = Path.of(System.getProperty("hypha.repo.root", "."));
        Path index = root.resolve("node_modules/node-llama-cpp/dist/index.js").toAbsolutePath();
        assertThat(index).as("node-llama-cpp must be installed (npm ci)").exists();

        Map<String, TokenizerConfig> vocabs = new LinkedHashMap<>();
        vocabs.put("spm", TestVocabularies.sentencePiece(2000));
        vocabs.put("qwen2", TestVocabularies.byteLevelBpe(2000, BpeStyle.QWEN2));
        vocabs.put("llama3", TestVocabularies.byteLevelBpe(2000, BpeStyle.LLAMA3));
        vocabs.put("gpt2", TestVocabularies.byteLevelBpe(2000, BpeStyle.GPT2));
        Map<String, String> models = new LinkedHashMap<>();
        for (var e : vocabs.entrySet()) {
            Path p = dir.resolve(e.getKey() + ".gguf");
            var spec = RandomModelFactory.Spec.tiny(Architecture.values()[0], GgmlType.F32, e.getValue().size(), 1);
            RandomModelFactory.write(spec, e.getValue().toMetadata(), p);
            models.put(e.getKey(), p.toString());
        }
        List<String> texts = texts();
        ObjectMapper json = new ObjectMapper();
        Path in = dir.resolve("in.json");
        Path out = dir.resolve("out.json");
        json.writeValue(in.toFile(), Map.of("models", models, "texts", texts));
        Path script = dir.resolve("llama-tokenize.mjs");
        try (InputStream s = getClass().getResourceAsStream("llama-tokenize.mjs")) {
            Files.copy(s, script);
        }
        Process node = new ProcessBuilder("node", script.toString(), index.toUri().toString(), in.toString(), out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
        assertThat(node.waitFor(5, TimeUnit.MINUTES)).as("node finished").isTrue();
        assertThat(node.exitValue()).as(Files.readString(dir.resolve("node.log"))).isZero();
        @SuppressWarnings("unchecked")
        Map<String, List<List<Integer>>> theirs = json.readValue(out.toFile(), Map.class);

        List<String> mismatches = new ArrayList<>();
        for (var e : vocabs.entrySet()) {
            Tokenizer ours = Tokenizer.create(e.getValue());
            List<List<Integer>> ids = theirs.get(e.getKey());
            for (int i = 0; i < texts.size(); i++) {
                for (int mode = 0; mode < 2; mode++) {
                    int[] mine = ours.encode(texts.get(i), false, mode == 1);
                    int[] llama = ids.get(2 * i + mode).stream().mapToInt(Integer::intValue).toArray();
                    if (!Arrays.equals(mine, llama)) {
                        mismatches.add(e.getKey() + " parseSpecial=" + (mode == 1) + " " + json.writeValueAsString(texts.get(i))
                                + "\n  ours   " + Arrays.toString(mine) + "\n  llama  " + Arrays.toString(llama));
                    }
                }
            }
        }
        assertThat(mismatches).as("%d texts x 2 modes x %d vocabularies", texts.size(), vocabs.size()).isEmpty();
    }

    static List<String> texts() {
        String corpus = FortunesCorpus.text();
        List<String> texts = new ArrayList<>();
        String[] paragraphs = corpus.split("\n\n");
        for (int i = 0; i < paragraphs.length; i += 7) {
            texts.add(paragraphs[i]);
        }
        for (int i = 0; i < corpus.length(); i++) {
            if (corpus.charAt(i) > 0x7f) {
                texts.add(corpus.substring(Math.max(0, i - 40), Math.min(corpus.length(), i + 40)));
                i += 2000;
            }
        }
        Random rnd = new Random(42);
        int[][] blocks = {{0x20, 0x7e}, {0x09, 0x0d}, {0xa0, 0x17f}, {0x300, 0x36f}, {0x391, 0x3c9}, {0x400, 0x4ff},
            {0x600, 0x6ff}, {0x900, 0x97f}, {0x2000, 0x206f}, {0x3000, 0x303f}, {0x4e00, 0x4eff}, {0xac00, 0xacff},
            {0x1f300, 0x1f64f}, {0x200d, 0x200d}, {0xfe0f, 0xfe0f}, {0x30, 0x39}, {0x27, 0x27}};
        for (int k = 0; k < 300; k++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 1 + rnd.nextInt(25); j > 0; j--) {
                int[] b = blocks[rnd.nextInt(blocks.length)];
                sb.appendCodePoint(b[0] + rnd.nextInt(b[1] - b[0] + 1));
            }
            texts.add(sb.toString());
        }
        texts.addAll(List.of("", " ", "  leading", "Hello world", "naïve café 😀 漢字 Ωmega", "tabs\tand\r\nCRLF",
                "numbers 1234567 3.14", "I'M you'RE it's", "<|im_start|>user\nhi<|im_end|>", "</s> <s> text", "   spaces   ",
                "a\n\n\nb", "ʼ ‘quotes’ “x”", "<|begin_of_text|><|start_header_id|>x<|end_header_id|>", "<0x0A>▁▁"));
        return texts;
    }
}
