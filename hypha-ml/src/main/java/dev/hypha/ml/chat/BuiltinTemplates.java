package dev.hypha.ml.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Chat templates shipped with the engine (resources under {@code dev/hypha/ml/chat/templates}, copied from public
 * model files; SOURCES.md there names each source). Used for test vocabularies and as the documented fallback
 * (ChatML) for models that carry no {@code tokenizer.chat_template}.
 */
public final class BuiltinTemplates {
    private BuiltinTemplates() {}

    /** ChatML ({@code <|im_start|>role\ncontent<|im_end|>}), the fallback for models without a template. */
    public static String chatMl() {
        return load("chatml.jinja");
    }

    /** Llama 3 instruct style. */
    public static String llama3() {
        return load("llama3.jinja");
    }

    /** Zephyr / TinyLlama chat style. */
    public static String zephyr() {
        return load("zephyr.jinja");
    }

    /** A template resource by file name. @throws IllegalArgumentException if there is none */
    public static String load(String name) {
        try (InputStream in = BuiltinTemplates.class.getResourceAsStream("templates/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no built-in chat template named '" + name + "'");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
