package dev.hypha.ml.train.data;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's fortunes as chat conversations: each fortune of file {@code F} becomes a user turn "Tell me a fortune about
 * TOPIC." (TOPIC: F's name, a few spelled out, e.g. {@code men-women} as "men and women") answered by the fortune,
 * rendered with the model's chat template and tokenized with control tokens recognised. Files that are not English text
 * ({@code ascii-art}, {@code translate-me}) and fortunes longer than {@link #MAX_CHARS} characters are left out.
 * Every {@code heldOutEvery}-th conversation (index 0, n, 2n, ... in file-name order) is held out whole.
 */
public final class FortuneChats {
    /** Longer fortunes (poems, songs, whole stories) are left out: a tiny model should learn to answer and stop. */
    public static final int MAX_CHARS = 1000;
    private static final List<String> SKIPPED = List.of("ascii-art", "translate-me");
    private static final Map<String, String> TOPICS = Map.ofEntries(
            Map.entry("men-women", "men and women"), Map.entry("songs-poems", "songs and poems"),
            Map.entry("linuxcookie", "linux"), Map.entry("startrek", "Star Trek"), Map.entry("paradoxum", "paradoxes"),
            Map.entry("goedel", "Goedel"), Map.entry("pratchett", "Pratchett"), Map.entry("zippy", "Zippy"),
            Map.entry("knghtbrd", "knights"), Map.entry("perl", "Perl"), Map.entry("debian", "Debian"),
            Map.entry("fortunes", "life"), Map.entry("cookie", "luck"), Map.entry("tao", "the Tao"),
            Map.entry("miscellaneous", "anything"), Map.entry("humorists", "humor"), Map.entry("kids", "children"));

    private FortuneChats() {}

    /** One conversation: its topic, the fortune, and the rendered text. */
    public record Chat(String topic, String fortune, String text) {}

    /** The user's request for {@code topic}. */
    public static String request(String topic) {
        return "Tell me a fortune about " + topic + ".";
    }

    /** The topic a fortunes file stands for. */
    public static String topic(String fileName) {
        return TOPICS.getOrDefault(fileName, fileName);
    }

    /** The conversations of the corpus at {@code dir}, in file-name order. */
    public static List<Chat> chats(Path dir, ChatTemplate template) {
        List<Chat> out = new ArrayList<>();
        for (Path f : FortunesCorpus.files(dir)) {
            String name = f.getFileName().toString();
            if (SKIPPED.contains(name)) {
                continue;
            }
            String topic = topic(name);
            for (String fortune : FortunesCorpus.fortunes(List.of(f))) {
                String answer = fortune.strip();
                if (answer.length() > MAX_CHARS) {
                    continue;
                }
                String text = template.render(List.of(new ChatMessage("user", request(topic)), new ChatMessage("assistant", answer)), false);
                out.add(new Chat(topic, answer, text));
            }
        }
        return out;
    }

    /**
     * The conversations of a text dataset imported with {@code --documents fortune}: each document is a fortune of the
     * file it came from, made a conversation by the same rules as {@link #chats(Path, ChatTemplate)}, in dataset order.
     */
    public static List<Chat> chats(List<TextDatasets.Document> documents, ChatTemplate template) {
        List<Chat> out = new ArrayList<>();
        for (TextDatasets.Document d : documents) {
            String answer = d.text().strip();
            if (SKIPPED.contains(d.file()) || answer.length() > MAX_CHARS || answer.isEmpty()) {
                continue;
            }
            String topic = topic(d.file());
            String text = template.render(List.of(new ChatMessage("user", request(topic)), new ChatMessage("assistant", answer)), false);
            out.add(new Chat(topic, answer, text));
        }
        return out;
    }

    /** Training and held-out conversations chosen by someone else (a dataset's recorded split), tokenized. */
    public static TokenCorpus tokens(List<Chat> train, List<Chat> heldOut, Tokenizer tokenizer) {
        List<int[]> a = new ArrayList<>();
        List<int[]> b = new ArrayList<>();
        train.forEach(c -> a.add(tokenizer.encode(c.text(), false, true)));
        heldOut.forEach(c -> b.add(tokenizer.encode(c.text(), false, true)));
        return new TokenCorpus(concat(a), concat(b));
    }

    /** The conversations tokenized (control tokens recognised, no BOS/EOS added), held out as {@link FortuneChats} says. */
    public static TokenCorpus tokens(List<Chat> chats, Tokenizer tokenizer, int heldOutEvery) {
        if (heldOutEvery < 2) {
            throw new IllegalArgumentException("hold out every n-th conversation with n >= 2, got " + heldOutEvery);
        }
        List<int[]> train = new ArrayList<>();
        List<int[]> heldOut = new ArrayList<>();
        for (int i = 0; i < chats.size(); i++) {
            (i % heldOutEvery == 0 ? heldOut : train).add(tokenizer.encode(chats.get(i).text(), false, true));
        }
        return new TokenCorpus(concat(train), concat(heldOut));
    }

    private static int[] concat(List<int[]> parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
