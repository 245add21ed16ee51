package dev.hypha.node.gateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.node.gateway.TextSink;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Reasoning and answer come apart wherever the stream happens to cut the text, tags included. */
class ThinkingSinkTest {

    /** What a sink received, joined per channel. */
    private static final class Collected implements TextSink {
        final StringBuilder answer = new StringBuilder();
        final StringBuilder thinking = new StringBuilder();

        @Override
        public void accept(String piece) {
            answer.append(piece);
        }

        @Override
        public void thinking(String piece) {
            thinking.append(piece);
        }
    }

    private static Collected feed(List<String> pieces, boolean startsInside) {
        Collected c = new Collected();
        ThinkingSink sink = new ThinkingSink(c, startsInside);
        pieces.forEach(sink::accept);
        sink.finish();
        assertThat(sink.thinkingText()).isEqualTo(c.thinking.toString());
        assertThat(sink.answerText()).isEqualTo(c.answer.toString());
        return c;
    }

    @Test
    void reasoningBetweenTheTagsIsSplitFromTheAnswer() {
        Collected c = feed(List.of("  <thi", "nk>\nLet me see", ".</th", "ink>\n\n", "Forty-two."), false);
        assertThat(c.thinking).hasToString("Let me see.");
        assertThat(c.answer).hasToString("Forty-two.");
    }

    @Test
    void anAnswerWithoutTheOpeningTagPassesUnchanged() {
        Collected c = feed(List.of("  <th", "is is not a tag"), false);
        assertThat(c.thinking).isEmpty();
        assertThat(c.answer).hasToString("  <this is not a tag");
    }

    @Test
    void aPromptThatOpenedTheTagMakesTheOutputReasoningFromTheStart() {
        Collected c = feed(List.of("\nhmm <", "/b> and </", "think>", " ok"), true);
        assertThat(c.thinking).hasToString("hmm </b> and ");
        assertThat(c.answer).hasToString("ok");
    }

    @Test
    void anUnclosedTagLeavesEverythingInTheReasoning() {
        Collected c = feed(List.of("<think>a", "b</thi"), false);
        assertThat(c.thinking).hasToString("ab</thi");
        assertThat(c.answer).isEmpty();
    }

    @Test
    void piecesAreReleasedAsSoonAsTheyCannotBeATag() {
        Collected c = new Collected();
        ThinkingSink sink = new ThinkingSink(c, true);
        sink.accept("one two");
        assertThat(c.thinking).hasToString("one two");
        sink.accept(" three </");
        assertThat(c.thinking).hasToString("one two three "); // "</" may begin the closing tag: held
        sink.accept("think>Answer");
        assertThat(c.answer).hasToString("Answer");
    }

    @Property(tries = 300)
    void theSplitDoesNotDependOnWhereTheStreamCuts(@ForAll("texts") String text, @ForAll("cuts") List<Integer> cuts,
                                                   @ForAll boolean startsInside) {
        Collected whole = feed(List.of(text), startsInside);
        Collected cut = feed(pieces(text, cuts), startsInside);
        assertThat(cut.thinking).hasToString(whole.thinking.toString());
        assertThat(cut.answer).hasToString(whole.answer.toString());
    }

    @Property(tries = 300)
    void nothingButTheTagsAndTheWhitespaceAroundThemIsLost(@ForAll("words") String thought, @ForAll("words") String answer) {
        Collected c = feed(List.of(" <think> " + thought + "</think>\n " + answer), false);
        assertThat(c.thinking).hasToString(thought.stripLeading());
        assertThat(c.answer).hasToString(answer.stripLeading());
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> bits = Arbitraries.of("<think>", "</think>", "<", "</", "<th", "think", ">", " ", "\n", "a",
                "b c", "</thin", "é");
        return bits.list().ofMaxSize(12).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.of("x", " y", "\n", "<", "</b>", "z z").list().ofMaxSize(6).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 80).list().ofMaxSize(10);
    }

    private static List<String> pieces(String text, List<Integer> cuts) {
        List<Integer> at = new ArrayList<>(cuts.stream().map(c -> Math.min(c, text.length())).sorted().toList());
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int c : at) {
            out.add(text.substring(from, c));
            from = c;
        }
        out.add(text.substring(from));
        return out;
    }
}
