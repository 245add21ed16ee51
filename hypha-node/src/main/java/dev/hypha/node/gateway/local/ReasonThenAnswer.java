package dev.hypha.node.gateway.local;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.llm.TokenConstraint;
import dev.hypha.ml.llm.TokenDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets a thinking model reason freely and holds only its answer to a structure (a format, a schema or a required tool
 * call), as Ollama does with {@code think} and {@code format} together: the output must open the reasoning with
 * {@code <think>} (unless the prompt opened it), may not end before {@code </think>}, and from the closing tag on every
 * token goes through {@code answer}. A token that closes the tag may carry only whitespace after it, so the answer's
 * constraint sees the whole answer from its start (leading whitespace is dropped from the answer anyway).
 *
 * <p>Work per token is bounded: while reasoning only the tokens that contain {@code >} (the few that can complete the
 * closing tag) and the end-of-generation tokens are looked at, found once per constraint; only the handful of steps
 * before the opening tag look at the whole vocabulary.
 */
final class ReasonThenAnswer implements TokenConstraint {
    private static final String OPEN = ChatTemplate.THINK_OPEN;
    private static final String CLOSE = ChatTemplate.THINK_CLOSE;

    private enum Phase { OPENING, REASONING, ANSWERING }

    private final TokenConstraint answer;
    private final String[] texts;
    private final int[] closers;
    private final int[] enders;
    private final boolean[] ends;
    private Phase phase;
    /** Opening: the text so far. Reasoning: its last few characters (where a closing tag may have begun). */
    private String recent = "";

    /** @param startsInside the prompt ended with the opening tag: the output is reasoning from its first token */
    ReasonThenAnswer(TokenConstraint answer, TokenDecoder decoder, int vocabSize, boolean startsInside) {
        this.answer = answer;
        this.texts = new String[vocabSize];
        List<Integer> closing = new ArrayList<>();
        List<Integer> ending = new ArrayList<>();
        for (int t = 0; t < vocabSize; t++) {
            // ISO-8859-1 keeps one char per byte: tags are ASCII, and a UTF-8 character split across tokens stays intact
            texts[t] = new String(decoder.bytes(t), StandardCharsets.ISO_8859_1);
            if (texts[t].indexOf('>') >= 0) {
                closing.add(t);
            }
            if (decoder.isEndOfGeneration(t)) {
                ending.add(t);
            }
        }
        this.closers = closing.stream().mapToInt(Integer::intValue).toArray();
        this.enders = ending.stream().mapToInt(Integer::intValue).toArray();
        this.ends = new boolean[vocabSize];
        for (int t : enders) {
            ends[t] = true;
        }
        this.phase = startsInside ? Phase.REASONING : Phase.OPENING;
    }

    @Override
    public void mask(float[] logits) {
        switch (phase) {
            case OPENING -> TokenConstraint.maskRefused(logits, // rows beyond the tokenizer's vocabulary are no text
                    t -> t < texts.length && !ends[t] && opens(recent + texts[t]),
                    "the opening " + OPEN + " of the reasoning");
            case REASONING -> {
                for (int t : enders) {
                    logits[t] = Float.NEGATIVE_INFINITY; // the reasoning must close before the answer can end
                }
                for (int t : closers) {
                    if (!closesCleanly(recent + texts[t])) {
                        logits[t] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            case ANSWERING -> answer.mask(logits);
        }
    }

    @Override
    public void accept(int token) {
        switch (phase) {
            case OPENING -> {
                String s = (recent + texts[token]).stripLeading();
                if (s.startsWith(OPEN)) {
                    phase = Phase.REASONING;
                    recent = "";
                    reason(s.substring(OPEN.length()));
                } else {
                    recent = s;
                }
            }
            case REASONING -> reason(texts[token]);
            case ANSWERING -> answer.accept(token);
        }
    }

    private void reason(String text) {
        String s = recent + text;
        if (s.contains(CLOSE)) {
            phase = Phase.ANSWERING;
            recent = "";
        } else {
            recent = s.substring(Math.max(0, s.length() - (CLOSE.length() - 1)));
        }
    }

    /** Whether {@code s} (whitespace first) is on its way to the opening tag, or has it without closing it too. */
    private static boolean opens(String s) {
        String t = s.stripLeading();
        if (t.length() <= OPEN.length()) {
            return OPEN.startsWith(t);
        }
        return t.startsWith(OPEN) && !t.substring(OPEN.length()).contains(CLOSE);
    }

    /** No closing tag in {@code s}, or one followed only by whitespace. */
    private static boolean closesCleanly(String s) {
        int at = s.indexOf(CLOSE);
        return at < 0 || s.substring(at + CLOSE.length()).isBlank();
    }
}
