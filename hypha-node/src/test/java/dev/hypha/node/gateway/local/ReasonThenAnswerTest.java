package dev.hypha.node.gateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.llm.TokenConstraint;
import dev.hypha.ml.llm.TokenDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reasoning is free, the answer after it held to its constraint, over a small vocabulary of tag pieces. */
class ReasonThenAnswerTest {
    private static final List<String> VOCAB = List.of("<think>", "hmm", "</think>", "</think>{", "{", "}", "",
            "</thi", "nk>", "nk>x", " ", "\n", "<th", "ink>");
    private static final int THINK = 0;
    private static final int HMM = 1;
    private static final int CLOSE = 2;
    private static final int CLOSE_BRACE = 3;
    private static final int BRACE = 4;
    private static final int END = 6;
    private static final int CLO = 7;
    private static final int SE = 8;
    private static final int SE_X = 9;
    private static final int SPACE = 10;
    private static final int TH = 12;
    private static final int INK = 13;

    /** The answer's constraint: only "{" may start it; records what it was given. */
    private static final class OnlyBrace implements TokenConstraint {
        final List<Integer> accepted = new ArrayList<>();

        @Override
        public void mask(float[] logits) {
            for (int t = 0; t < logits.length; t++) {
                if (t != BRACE) {
                    logits[t] = Float.NEGATIVE_INFINITY;
                }
            }
        }

        @Override
        public void accept(int token) {
            accepted.add(token);
        }
    }

    private static final TokenDecoder DECODER = new TokenDecoder() {
        @Override
        public byte[] bytes(int token) {
            return VOCAB.get(token).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return token == END;
        }
    };

    private static List<Integer> allowed(TokenConstraint c) {
        float[] logits = new float[VOCAB.size()];
        c.mask(logits);
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] != Float.NEGATIVE_INFINITY) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void theReasoningMustOpenThenCloseCleanlyAndOnlyTheAnswerIsConstrained() {
        OnlyBrace answer = new OnlyBrace();
        ReasonThenAnswer c = new ReasonThenAnswer(answer, DECODER, VOCAB.size(), false);
        // before the reasoning: only the way to "<think>" (whitespace first is fine), never the end
        assertThat(allowed(c)).containsExactlyInAnyOrder(THINK, SPACE, 11, TH);
        c.accept(TH);
        assertThat(allowed(c)).containsExactly(INK);
        c.accept(INK);
        // reasoning: anything but the end, or a closing tag with more than whitespace after it
        assertThat(allowed(c)).doesNotContain(END, CLOSE_BRACE).contains(HMM, CLOSE, CLO, BRACE, SE, SE_X);
        c.accept(HMM);
        c.accept(CLO);
        // "</thi" is held: "nk>x" would close with text after the tag
        assertThat(allowed(c)).contains(SE).doesNotContain(SE_X, END);
        c.accept(SE);
        // answering: the answer's own constraint decides, and sees only the answer's tokens
        assertThat(allowed(c)).containsExactly(BRACE);
        c.accept(BRACE);
        assertThat(answer.accepted).containsExactly(BRACE);
    }

    @Test
    void aPromptThatOpenedTheReasoningStartsInside() {
        OnlyBrace answer = new OnlyBrace();
        ReasonThenAnswer c = new ReasonThenAnswer(answer, DECODER, VOCAB.size(), true);
        assertThat(allowed(c)).contains(HMM).doesNotContain(END);
        c.accept(CLOSE);
        assertThat(allowed(c)).containsExactly(BRACE);
    }

    @Test
    void aVocabularyThatCannotOpenTheReasoningFailsClearly() {
        TokenDecoder plain = new TokenDecoder() {
            @Override
            public byte[] bytes(int token) {
                return "a".getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public boolean isEndOfGeneration(int token) {
                return false;
            }
        };
        ReasonThenAnswer c = new ReasonThenAnswer(new OnlyBrace(), plain, 3, false);
        assertThatThrownBy(() -> allowed(c)).isInstanceOf(IllegalStateException.class).hasMessageContaining("<think>");
    }
}
