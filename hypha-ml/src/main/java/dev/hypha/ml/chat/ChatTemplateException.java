package dev.hypha.ml.chat;

/** A chat template could not be rendered: it raised an exception, or it is not valid Jinja. */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }
}
