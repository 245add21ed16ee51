package dev.hypha.node.verify.opml;

import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.Prompt;
import java.nio.charset.StandardCharsets;

/**
 * How a verifiable model's byte tokens travel as Ollama text: one character per byte (ISO-8859-1), both ways, so the
 * bytes a receipt commits to are exactly the text sent and received. A prompt is a text prompt's text or a chat's
 * last message; a character above U+00FF has no byte and is refused.
 */
public final class IntLmText {
    private IntLmText() {}

    /** The prompt's byte tokens. */
    public static byte[] prompt(Prompt prompt) {
        String text = switch (prompt) {
            case Prompt.Text t -> t.text();
            case Prompt.Chat c -> c.messages().isEmpty() ? "" : c.messages().getLast().content();
            case Prompt.Infill i -> throw GatewayException.badRequest("verifiable (IntLm) models do not infill");
        };
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                throw GatewayException.badRequest("verifiable (IntLm) models read one byte per character: character "
                        + i + " of the prompt is above U+00FF");
            }
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The text of byte tokens. */
    public static String text(byte[] tokens) {
        return new String(tokens, StandardCharsets.ISO_8859_1);
    }

    /** The byte tokens of an answer's text (every character at most U+00FF, as {@link #text} makes them). */
    public static byte[] tokens(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
