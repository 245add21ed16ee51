package dev.hypha.node.gateway.http;

import dev.hypha.node.gateway.GenerationCancelledException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streamed response written piece by piece and flushed at once, so a client sees each token as it is made. When a
 * write fails, the client has gone: the failure becomes {@link GenerationCancelledException}, which the engine's loop
 * lets through, so generation stops at that token instead of running on for nobody.
 */
public final class ResponseStream {
    private final OutputStream out;
    private boolean broken;

    /** Starts a 200 response of {@code contentType} on {@code ctx}. */
    public ResponseStream(Context ctx, String contentType) {
        ctx.status(200);
        ctx.res().setContentType(contentType);
        ctx.res().setHeader("Cache-Control", "no-cache");
        try {
            this.out = ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new GenerationCancelledException("the client closed the connection", e);
        }
    }

    /** Writes and flushes {@code text}. */
    public void write(String text) {
        if (broken) {
            throw new GenerationCancelledException("the client closed the connection", null);
        }
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw new GenerationCancelledException("the client closed the connection", e);
        }
    }

    /** Writes the last piece, ignoring a client that has gone (nothing is left to stop). */
    public void writeLast(String text) {
        try {
            write(text);
        } catch (GenerationCancelledException ignored) {
            // the answer is complete on our side; the client no longer wants it
        }
    }
}
