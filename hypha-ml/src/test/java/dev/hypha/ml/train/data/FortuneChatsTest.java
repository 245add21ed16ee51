package dev.hypha.ml.train.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class FortuneChatsTest {
    @Test
    void fortunesBecomeChatMlConversationsWithControlTokens() {
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(512, TestVocabularies.BpeStyle.QWEN2);
        ChatTemplate template = ChatTemplate.of(vocab.chatTemplate().orElseThrow(), "<|endoftext|>", "<|im_end|>");
        List<FortuneChats.Chat> chats = FortuneChats.chats(FortunesCorpus.directory(), template);
        assertThat(chats).hasSizeGreaterThan(10_000);
        assertThat(chats).extracting(FortuneChats.Chat::topic).contains("computers", "love", "science", "men and women")
                .doesNotContain("ascii-art", "translate-me");
        FortuneChats.Chat computers = chats.stream().filter(c -> c.topic().equals("computers")).findFirst().orElseThrow();
        assertThat(computers.text()).isEqualTo("<|im_start|>user\nTell me a fortune about computers.<|im_end|>\n<|im_start|>assistant\n"
                + computers.fortune() + "<|im_end|>\n");
        assertThat(chats).allSatisfy(c -> assertThat(c.fortune().length()).isLessThanOrEqualTo(FortuneChats.MAX_CHARS));

        Tokenizer tokenizer = Tokenizer.create(vocab);
        int imStart = tokenizer.encode("<|im_start|>", false, true)[0];
        int imEnd = tokenizer.encode("<|im_end|>", false, true)[0];
        assertThat(tokenizer.eos()).isEqualTo(imEnd);
        TokenCorpus corpus = FortuneChats.tokens(chats.subList(0, 40), tokenizer, 20);
        int[] first = tokenizer.encode(chats.get(0).text(), false, true);
        assertThat(first[0]).isEqualTo(imStart);
        assertThat(first[first.length - 2]).isEqualTo(imEnd);
        // conversations 0 and 20 held out, the other 38 trained on
        assertThat(corpus.heldOut().length).isEqualTo(first.length + tokenizer.encode(chats.get(20).text(), false, true).length);
        assertThat(java.util.Arrays.copyOf(corpus.heldOut(), first.length)).isEqualTo(first);
        assertThat(corpus.train().length).isGreaterThan(corpus.heldOut().length);
    }
}
