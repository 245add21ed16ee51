package dev.hypha.node.gateway;

/** Receives generated text as it is released (the HTTP side streams it). */
@FunctionalInterface
public interface TextSink {

    /**
     * One released piece of text (may be empty while a possible stop sequence is held back).
     *
     * @throws GenerationCancelledException when whoever reads the text has gone: generation must stop now
     */
    void accept(String piece);

    /** A sink for non-streaming answers (the full text comes back in the {@link Completion}). */
    TextSink DISCARD = piece -> { };
}
