package dev.hypha.node.gateway.local;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.node.gateway.TextSink;

/**
 * Splits a thinking model's output into its reasoning and its answer as the text streams: what stands between
 * {@code <think>} and {@code </think>} goes to {@link TextSink#thinking}, the rest to {@link TextSink#accept}. A piece
 * of text that may be the start of a tag is held until the next piece decides it, so a tag split across tokens is
 * still found. Whitespace around the tags is dropped (the model writes a newline after each; Ollama drops it too). An
 * answer that does not open with the tag has no reasoning and passes unchanged.
 *
 * <p>The prompt of some templates (DeepSeek-R1's) ends with the opening tag already, so the output starts inside.
 */
final class ThinkingSink implements TextSink {
    private static final String OPEN = ChatTemplate.THINK_OPEN;
    private static final String CLOSE = ChatTemplate.THINK_CLOSE;

    private enum State { BEFORE, INSIDE, AFTER }

    private final TextSink out;
    private final StringBuilder held = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private final StringBuilder answer = new StringBuilder();
    private State state;
    /** Leading whitespace is still to be dropped (just after a tag). */
    private boolean trimming;

    /** @param startsInside the prompt ended with the opening tag: the output is reasoning from its first byte */
    ThinkingSink(TextSink out, boolean startsInside) {
        this.out = out;
        this.state = startsInside ? State.INSIDE : State.BEFORE;
        this.trimming = startsInside;
    }

    @Override
    public void accept(String piece) {
        held.append(piece);
        switch (state) {
            case BEFORE -> before();
            case INSIDE -> inside();
            case AFTER -> after();
        }
    }

    @Override
    public void thinking(String piece) {
        out.thinking(piece); // already split upstream (never happens with the engine, kept correct anyway)
    }

    /** Releases what is still held when the output ends: an unfinished tag is text after all. */
    void finish() {
        if (held.isEmpty()) {
            return;
        }
        String rest = held.toString();
        held.setLength(0);
        if (state == State.INSIDE) {
            emitThinking(rest);
        } else {
            emitAnswer(state == State.AFTER ? rest.stripLeading() : rest);
        }
    }

    /** The whole reasoning released so far. */
    String thinkingText() {
        return thinking.toString();
    }

    /** The whole answer released so far. */
    String answerText() {
        return answer.toString();
    }

    private void before() {
        String text = held.toString();
        String trimmed = text.stripLeading();
        if (trimmed.startsWith(OPEN)) {
            held.setLength(0);
            held.append(trimmed, OPEN.length(), trimmed.length());
            state = State.INSIDE;
            trimming = true;
            inside();
        } else if (trimmed.isEmpty() || OPEN.startsWith(trimmed)) {
            // only whitespace or the beginning of the tag so far: wait for more
        } else {
            held.setLength(0);
            state = State.AFTER;
            trimming = false;
            emitAnswer(text); // no reasoning: the answer keeps its leading whitespace
        }
    }

    private void inside() {
        if (trimming) {
            String trimmed = held.toString().stripLeading();
            held.setLength(0);
            held.append(trimmed);
            if (trimmed.isEmpty()) {
                return;
            }
            trimming = false;
        }
        String text = held.toString();
        int close = text.indexOf(CLOSE);
        if (close >= 0) {
            held.setLength(0);
            held.append(text, close + CLOSE.length(), text.length());
            emitThinking(text.substring(0, close));
            state = State.AFTER;
            trimming = true;
            after();
            return;
        }
        int keep = Tags.partialAtEnd(text, CLOSE);
        held.setLength(0);
        held.append(text, text.length() - keep, text.length());
        emitThinking(text.substring(0, text.length() - keep));
    }

    private void after() {
        String text = held.toString();
        held.setLength(0);
        if (trimming) {
            text = text.stripLeading();
            if (text.isEmpty()) {
                return;
            }
            trimming = false;
        }
        emitAnswer(text);
    }

    private void emitThinking(String text) {
        if (!text.isEmpty()) {
            thinking.append(text);
            out.thinking(text);
        }
    }

    private void emitAnswer(String text) {
        if (!text.isEmpty()) {
            answer.append(text);
            out.accept(text);
        }
    }
}
