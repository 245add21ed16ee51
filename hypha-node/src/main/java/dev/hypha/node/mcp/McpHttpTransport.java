package dev.hypha.node.mcp;

import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * MCP's Streamable HTTP transport in its stateless form, on the node's Javalin server: each POST carries one JSON-RPC
 * message and gets its answer as one JSON body (202 for a notification); GET and DELETE get 405, which MCP clients take
 * as "no server-sent stream, no session". Hand-written (decision): the SDK's own HTTP server transports are servlets
 * built against Servlet 6.1, and Javalin 6 runs Jetty 11 (Servlet 5); everything past the bytes (JSON-RPC, the
 * lifecycle, tool dispatch and input validation) is the SDK's {@link McpStatelessServerHandler}.
 */
final class McpHttpTransport implements McpStatelessServerTransport, ApiRoutes {
    /** Largest request body read: a tool call's arguments and an x402 payment fit in a few KiB. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final String path;
    private final McpJsonMapper json;
    private final Duration timeout;
    private volatile McpStatelessServerHandler handler;

    McpHttpTransport(String path, McpJsonMapper json, Duration timeout) {
        this.path = Objects.requireNonNull(path, "path");
        this.json = Objects.requireNonNull(json, "json");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void setMcpHandler(McpStatelessServerHandler handler) {
        this.handler = handler;
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.empty();
    }

    @Override
    public void addTo(Javalin api) {
        api.post(path, this::post);
        api.get(path, ctx -> ctx.status(405).header("Allow", "POST"));
        api.delete(path, ctx -> ctx.status(405).header("Allow", "POST"));
    }

    private void post(Context ctx) throws IOException {
        McpStatelessServerHandler h = handler;
        if (h == null) {
            ctx.status(503).result("the MCP server is not built yet");
            return;
        }
        long declared = ctx.contentLength();
        if (declared > MAX_BODY_BYTES) {
            error(ctx, 413, McpSchema.ErrorCodes.INVALID_REQUEST, "body of " + declared + " bytes, more than the "
                    + MAX_BODY_BYTES + " accepted");
            return;
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BODY_BYTES) {
            error(ctx, 413, McpSchema.ErrorCodes.INVALID_REQUEST, "body of " + body.length
                    + " bytes, more than the " + MAX_BODY_BYTES + " accepted");
            return;
        }
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, new String(body, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) { // the SDK's mapper wraps Jackson's errors in unchecked ones
            error(ctx, 400, McpSchema.ErrorCodes.PARSE_ERROR, "not a JSON-RPC 2.0 message: " + e.getMessage());
            return;
        }
        McpTransportContext context = McpTransportContext.create(Map.of());
        switch (message) {
            case McpSchema.JSONRPCRequest request -> {
                McpSchema.JSONRPCResponse response = h.handleRequest(context, request).block(timeout);
                ctx.status(200).contentType("application/json").result(json.writeValueAsBytes(response));
            }
            case McpSchema.JSONRPCNotification notification -> {
                h.handleNotification(context, notification).block(timeout);
                ctx.status(202);
            }
            default -> error(ctx, 400, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "a client posts requests and notifications, not responses");
        }
    }

    /** A JSON-RPC error with a null id (the request could not be read, so its id is unknown), written directly. */
    private static void error(Context ctx, int status, int code, String message) {
        com.fasterxml.jackson.databind.node.ObjectNode o = ERRORS.createObjectNode();
        o.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        o.putNull("id");
        o.putObject("error").put("code", code).put("message", message);
        ctx.status(status).contentType("application/json").result(o.toString());
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper ERRORS = new com.fasterxml.jackson.databind.ObjectMapper();
}
