package dev.hypha.ml.train.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training text of a fine-tune, tokenized into one stream (documents end to end). Two formats, chosen by the file
 * name (decision: explicit, never guessed from content):
 *
 * <ul>
 *   <li>{@code *.jsonl}: one JSON object per line, either {@code {"messages": [{"role": "user", "content": "..."},
 *       {"role": "assistant", "content": "..."}]}} (rendered with the base model's own chat template, as {@code hypha
 *       run} renders a conversation, control tokens parsed; the hypha-tiny recipe) or {@code {"text": "..."}} (a plain
 *       document). Blank lines are skipped.
 *   <li>anything else: UTF-8 text; documents are separated by blank lines.
 * </ul>
 *
 * A plain document is encoded as the tokenizer adds specials (BOS for llama) and followed by EOS, as the pre-training
 * corpus is. Every token is trained on, prompts included (decision: no loss mask yet). The file is outside input: at
 * most {@link #MAX_BYTES}, valid UTF-8, every line checked, errors name the file and line.
 */
public final class FinetuneData {
    public static final long MAX_BYTES = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The token stream and how many documents (conversations or texts) it holds. */
    public record Tokens(int[] stream, int documents, String format) {}

    private FinetuneData() {}

    public static Tokens read(Path file, Tokenizer tokenizer, ChatTemplate template) {
        String text = readText(file);
        List<int[]> docs = new ArrayList<>();
        String format;
        if (file.getFileName().toString().endsWith(".jsonl")) {
            format = "chat JSONL";
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    docs.add(jsonLine(file, i + 1, lines[i], tokenizer, template));
                }
            }
        } else {
            format = "text";
            for (String doc : text.replace("\r\n", "\n").split("\n\\s*\n")) {
                if (!doc.isBlank()) {
                    docs.add(document(doc.strip(), tokenizer));
                }
            }
        }
        if (docs.isEmpty()) {
            throw new IllegalArgumentException("training data " + file + " holds no documents");
        }
        long total = 0;
        for (int[] d : docs) {
            total += d.length;
        }
        int[] stream = new int[Math.toIntExact(total)];
        int at = 0;
        for (int[] d : docs) {
            System.arraycopy(d, 0, stream, at, d.length);
            at += d.length;
        }
        return new Tokens(stream, docs.size(), format);
    }

    private static int[] jsonLine(Path file, int line, String text, Tokenizer tokenizer, ChatTemplate template) {
        String where = "training data " + file + " line " + line;
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object with \"messages\" or \"text\"");
        }
        if (node.get("text") != null) {
            if (!node.get("text").isTextual()) {
                throw new IllegalArgumentException(where + ": \"text\" must be a string");
            }
            return document(node.get("text").textValue(), tokenizer);
        }
        JsonNode messages = node.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException(where + " must have \"messages\": a non-empty array of {\"role\", \"content\"}, or \"text\"");
        }
        List<ChatMessage> chat = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new IllegalArgumentException(where + ": messages[" + i + "] must be an object with string \"role\" and \"content\"");
            }
            chat.add(new ChatMessage(m.get("role").textValue(), m.get("content").textValue()));
        }
        return tokenizer.encode(template.render(chat, false), false, true);
    }

    private static int[] document(String text, Tokenizer tokenizer) {
        int[] t = tokenizer.encode(text, true, false);
        int[] out = java.util.Arrays.copyOf(t, t.length + 1);
        out[t.length] = tokenizer.eos();
        return out;
    }

    private static String readText(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("training data " + file + " is not a regular file");
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("training data " + file + " has " + size + " bytes; at most " + MAX_BYTES + " are read");
            }
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("training data " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training data " + file + ": " + e.getMessage(), e);
        }
    }
}
