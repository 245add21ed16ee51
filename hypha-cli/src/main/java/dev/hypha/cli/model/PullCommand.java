package dev.hypha.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha pull NAME|CID}: asks the running node's API ({@code POST /api/pull}, as {@code ollama pull} does) to fetch
 * a model from the network's providers, and draws its progress. The node does the work and keeps the partial file, so
 * an interrupted pull (Ctrl-C here, or the node stopped) resumes when pulled again.
 */
@Command(name = "pull", description = {"Fetch a model from the network's providers into the local store.",
    "Asks the running node (`hypha up`, or `hypha gateway --network`) to pull NAME (e.g. hypha-tiny) or a content id",
    "(bafy...), from several providers at once, every chunk checked against the content id; resumes if interrupted."})
public final class PullCommand implements Callable<Integer> {
    /** Where the node's API listens unless --host says otherwise (Ollama's port). */
    static final String DEFAULT_HOST = "http://127.0.0.1:11434";
    /** Longest progress line read from the node. */
    private static final int MAX_LINE = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME|CID", description = "The model's name (NAME[:TAG]) or content id.")
    String model;

    @Option(names = "--host", paramLabel = "URL", defaultValue = DEFAULT_HOST,
            description = "The node API to ask (default: ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() {
        URI endpoint = endpoint();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", true);
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        TransferBar bar = new TransferBar(err, System::nanoTime);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                if (response.statusCode() != 200) {
                    throw failure(response.statusCode(), errorText(lines));
                }
                String last = null;
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.length() > MAX_LINE) throw unreadable("a progress line longer than " + MAX_LINE + " characters");
                    if (line.isBlank()) continue;
                    JsonNode status = parse(line);
                    if (status.hasNonNull("error")) {
                        bar.finish();
                        throw failure(502, status.get("error").asText());
                    }
                    last = status.path("status").asText("");
                    if (status.hasNonNull("digest") && status.has("total")) {
                        bar.update(TerminalText.line(last), status.path("completed").asLong(0),
                                status.path("total").asLong(0));
                    } else {
                        bar.finish();
                        err.println(TerminalText.line(last));
                        err.flush();
                    }
                }
                bar.finish();
                if (!"success".equals(last)) {
                    throw new HyphaException(ErrorCategory.NETWORK, "the node at " + host + " stopped answering before "
                            + "the pull finished; pull again to resume it");
                }
            }
        } catch (ConnectException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach the node API at " + host + ": is `hypha up` "
                    + "(or `hypha gateway --network`) running? Point --host at it otherwise", e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "the pull from " + host + " broke off: " + e.getMessage()
                    + "; pull again to resume it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.INTERNAL, "interrupted", e);
        }
        out.println("Pulled " + model);
        out.flush();
        return CommandLine.ExitCode.OK;
    }

    private URI endpoint() {
        String base = host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
        try {
            URI uri = URI.create(base + "/api/pull");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL with a host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--host " + TerminalText.line(host) + " is not a URL like " + DEFAULT_HOST
                    + " (" + e.getMessage() + ")");
        }
    }

    /** The node's {@code {"error"}} body (bounded), or the start of whatever it sent. */
    private static String errorText(BufferedReader lines) throws IOException {
        char[] buffer = new char[MAX_LINE];
        int n = lines.read(buffer, 0, buffer.length);
        String text = n <= 0 ? "" : new String(buffer, 0, n);
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.hasNonNull("error")) return node.get("error").asText();
        } catch (IOException notJson) {
            // shown as it came
        }
        return text.isBlank() ? "(no message)" : text.strip();
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) throw unreadable("a progress line that is not a JSON object");
            return node;
        } catch (IOException e) {
            throw unreadable("a progress line that is not JSON");
        }
    }

    private static HyphaException unreadable(String what) {
        return new HyphaException(ErrorCategory.NETWORK, "the node sent " + what + "; is --host a Hypha node?");
    }

    /** The node's error, with the exit code its status means (404: not found; 400: bad input; else network). */
    private HyphaException failure(int status, String message) {
        ErrorCategory category = switch (status) {
            case 404 -> ErrorCategory.NOT_FOUND;
            case 400 -> ErrorCategory.INPUT;
            default -> ErrorCategory.NETWORK;
        };
        return new HyphaException(category, "cannot pull " + model + ": " + message);
    }
}
