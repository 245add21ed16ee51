package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.data.FinetuneData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning data: chat JSONL rendered with the model's template, plain text split at blank lines, bad input named. */
class FinetuneDataTest {
    @TempDir
    Path dir;

    @Test
    void chatLinesAreRenderedWithTheTemplateAndTextIsSplitAtBlankLines() throws Exception {
        try (GgufFile g = GgufFile.open(LoraFinetuneTest.HYPHA_TINY)) {
            Tokenizer tokenizer = Tokenizer.fromGguf(g);
            ChatTemplate template = ChatTemplate.fromGguf(g);
            Path chat = dir.resolve("c.jsonl");
            Files.writeString(chat, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}]}\n"
                    + "{\"text\":\"plain words\"}\n");
            FinetuneData.Tokens t = FinetuneData.read(chat, tokenizer, template);
            assertThat(t.documents()).isEqualTo(2);
            String text = tokenizer.decode(t.stream(), false, true);
            assertThat(text).startsWith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n").contains("plain words");
            assertThat(t.stream()[t.stream().length - 1]).as("a text document ends with EOS").isEqualTo(tokenizer.eos());

            Path plain = dir.resolve("p.txt");
            Files.writeString(plain, "first document\nstill first\n\n  \nsecond\n");
            assertThat(FinetuneData.read(plain, tokenizer, template).documents()).isEqualTo(2);
        }
    }

    @Test
    void badInputIsNamedByFileAndLine() throws Exception {
        try (GgufFile g = GgufFile.open(LoraFinetuneTest.HYPHA_TINY)) {
            Tokenizer tokenizer = Tokenizer.fromGguf(g);
            ChatTemplate template = ChatTemplate.fromGguf(g);
            Path bad = dir.resolve("bad.jsonl");
            Files.writeString(bad, "{\"text\":\"ok\"}\n{\"messages\":[{\"role\":\"user\"}]}\n");
            assertThatThrownBy(() -> FinetuneData.read(bad, tokenizer, template)).hasMessageContaining("line 2")
                    .hasMessageContaining("messages[0]");
            Files.writeString(bad, "not json\n");
            assertThatThrownBy(() -> FinetuneData.read(bad, tokenizer, template)).hasMessageContaining("line 1 is not JSON");
            Path binary = dir.resolve("b.txt");
            Files.write(binary, new byte[] {'a', (byte) 0xC3, '(', '\n'});
            assertThatThrownBy(() -> FinetuneData.read(binary, tokenizer, template)).hasMessageContaining("not UTF-8");
            Path empty = dir.resolve("e.txt");
            Files.writeString(empty, "\n\n");
            assertThatThrownBy(() -> FinetuneData.read(empty, tokenizer, template)).hasMessageContaining("no documents");
        }
    }
}
