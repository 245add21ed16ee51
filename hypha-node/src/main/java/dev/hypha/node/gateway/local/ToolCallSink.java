package dev.hypha.node.gateway.local;

import dev.hypha.ml.chat.ToolCallFormat;
import dev.hypha.node.gateway.TextSink;

/**
 * Streams an answer that may end in tool calls: text is passed on as it comes until a call may be starting (the
 * format's prefix, or part of it at the very end; for bare-JSON formats a '{' opening the answer), and from there
 * held, because a call is returned parsed, not as text. When the answer turns out to hold no call, {@link #finish}
 * releases what was held, so no text is lost.
 */
final class ToolCallSink implements TextSink {
    private final TextSink out;
    private final ToolCallFormat format;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean inCall;

    ToolCallSink(TextSink out, ToolCallFormat format) {
        this.out = out;
        this.format = format;
    }

    @Override
    public void accept(String piece) {
        text.append(piece);
        if (inCall) {
            return;
        }
        String all = text.toString();
        int call = format.firstCall(all);
        if (call >= 0) {
            inCall = true;
            release(call);
            return;
        }
        int safe = format.prefix().isEmpty() && all.isBlank() ? released
                : all.length() - Tags.partialAtEnd(all, format.prefix());
        release(safe);
    }

    @Override
    public void thinking(String piece) {
        out.thinking(piece); // reasoning holds no calls
    }

    /** Releases the held text when the answer had no call after all. */
    void finish(boolean hadCalls) {
        if (!hadCalls) {
            release(text.length());
        }
    }

    private void release(int upTo) {
        if (upTo > released) {
            out.accept(text.substring(released, upTo));
            released = upTo;
        }
    }
}
