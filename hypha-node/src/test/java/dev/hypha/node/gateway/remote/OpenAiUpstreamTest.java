package dev.hypha.node.gateway.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenLogprob;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.testing.TinyModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OpenAiUpstream} against a real OpenAI-compatible server on loopback. No llama.cpp server or vLLM exists on
 * this machine and nothing can be downloaded, so the server is Hypha's own gateway in local mode (its {@code /v1} API is
 * held to the official OpenAI Java SDK by {@code OpenAiSdkTest}, {@code ToolsTest} and {@code LogprobsTest}); every
 * answer through the upstream must equal the engine's own, counts included. Broken or hostile servers are raw loopback
 * HTTP servers sending what such a server could: bad JSON, no usage, a line without end, silence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiUpstreamTest {
    private static final String MODEL = "tiny:latest";

    private LocalBackend engine;
    private ApiServer server;
    private OpenAiUpstream upstream;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        String template;
        try (InputStream in = getClass().getResourceAsStream("/dev/hypha/node/gateway/qwen25-tools.jinja")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        engine = new LocalBackend(TinyModelStore.create(dir, MODEL, 7, 2048, template), LocalBackend.Settings.defaults());
        server = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(engine)));
        server.start();
        upstream = new OpenAiUpstream(URI.create("http://127.0.0.1:" + server.port()));
    }

    @AfterAll
    void stop() {
        upstream.close();
        server.close();
        engine.close();
    }

    private static GenerateCall call(Prompt prompt, int max) {
        return new GenerateCall(MODEL, prompt, SamplingOptions.defaults().withTemperature(0), max, List.of(),
                OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }

    private static Prompt.Chat chat(String text) {
        return new Prompt.Chat(List.of(new Prompt.Message("system", "Be brief."), new Prompt.Message("user", text)));
    }

    @Test
    void modelsAreTheServersWithTheirNameHashedAsTheirId() {
        ModelInfo m = upstream.models().getFirst();
        assertThat(upstream.models()).extracting(ModelInfo::name).containsExactly(MODEL);
        assertThat(m.digestHex()).isEqualTo(Hex.encode(Hashes.sha256(MODEL.getBytes(StandardCharsets.UTF_8))));
        assertThat(upstream.show("tiny", false).info().name()).isEqualTo(MODEL); // with or without the tag
        assertThatThrownBy(() -> upstream.show("missing", false)).isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).kind()).isEqualTo(GatewayException.Kind.NOT_FOUND));
    }

    @Test
    void aStreamedChatEqualsTheEnginesAnswerAndCounts() {
        GenerateCall c = call(chat("Tell me a story"), 12);
        Completion direct = engine.generate(c, TextSink.DISCARD);
        StringBuilder streamed = new StringBuilder();
        Completion through = upstream.generate(c, streamed::append);
        assertThat(through.text()).isEqualTo(direct.text()).isEqualTo(streamed.toString());
        assertThat(through.promptTokens()).isEqualTo(direct.promptTokens());
        assertThat(through.generatedTokens()).isEqualTo(direct.generatedTokens());
        assertThat(through.doneReason()).isEqualTo(direct.doneReason());
        // the price bound holds the upstream's count
        assertThat(upstream.budget(c).promptTokens()).isGreaterThanOrEqualTo(through.promptTokens());
    }

    @Test
    void rawTextGoesToCompletionsAndATemplatedTextToChat() {
        for (Prompt p : List.of(new Prompt.Text("Once upon a time", null, true),
                new Prompt.Text("What is a fortune?", "Be brief.", false))) {
            GenerateCall c = call(p, 10);
            Completion direct = engine.generate(c, TextSink.DISCARD);
            Completion through = upstream.generate(c, TextSink.DISCARD);
            assertThat(through.text()).isEqualTo(direct.text());
            assertThat(through.generatedTokens()).isEqualTo(direct.generatedTokens());
        }
    }

    @Test
    void logprobsPassThroughForChatsAndRawTexts() {
        for (Prompt p : List.of(chat("Hello"), new Prompt.Text("Once upon a time", null, true))) {
            GenerateCall base = call(p, 6);
            GenerateCall c = new GenerateCall(MODEL, p, base.sampling(), 6, List.of(), OptionalInt.empty(),
                    KeepAlive.DEFAULT, GenerateCall.Format.TEXT, Optional.empty(), List.of(), OptionalInt.of(2),
                    Optional.empty());
            List<TokenLogprob> direct = engine.generate(c, TextSink.DISCARD).logprobs();
            List<TokenLogprob> through = upstream.generate(c, TextSink.DISCARD).logprobs();
            assertThat(through).hasSameSizeAs(direct).isNotEmpty();
            for (int i = 0; i < direct.size(); i++) {
                assertThat(through.get(i).token()).isEqualTo(direct.get(i).token());
                assertThat(through.get(i).logprob()).isEqualTo(direct.get(i).logprob(), org.assertj.core.api.Assertions.within(1e-6));
                assertThat(through.get(i).top()).hasSize(2);
            }
        }
    }

    /** The city is an enum: a random-weight model's free string would run past any token limit unclosed. */
    @Test
    void aRequiredToolComesBackAsTheEnginesCall() {
        Tool weather = new Tool("get_weather", "The weather in a city",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"enum\":[\"Oslo\",\"Lima\"]}},\"required\":[\"city\"]}");
        GenerateCall c = new GenerateCall(MODEL, chat("Weather in Oslo?"), SamplingOptions.defaults().withTemperature(0),
                200, List.of(), OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT, Optional.empty(),
                List.of(weather), OptionalInt.empty(), Optional.of("get_weather"));
        Completion direct = engine.generate(c, TextSink.DISCARD);
        Completion through = upstream.generate(c, TextSink.DISCARD);
        assertThat(through.toolCalls()).hasSize(1);
        assertThat(through.toolCalls().getFirst().name()).isEqualTo("get_weather");
        assertThat(through.toolCalls().getFirst().arguments()).isEqualTo(direct.toolCalls().getFirst().arguments());
    }

    @Test
    void embeddingsEqualTheEnginesWithItsCount() {
        EmbedCall c = new EmbedCall(MODEL, List.of("fortune favours the bold", "second"), true, KeepAlive.DEFAULT);
        Embeddings direct = engine.embed(c);
        Embeddings through = upstream.embed(c);
        assertThat(through.vectors()).hasSize(2);
        assertThat(through.vectors().get(1)).containsExactly(direct.vectors().get(1));
        assertThat(through.canonicalBytes()).isEqualTo(direct.canonicalBytes());
        assertThat(through.promptTokens()).isEqualTo(direct.promptTokens());
    }

    // --- broken and hostile servers ---

    private static final String MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\"}]}";

    /** A server listing model "m" whose chat and embeddings answers are {@code answer}. */
    private static HttpServer fake(String contentType, Answer answer) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/v1/models", ex -> send(ex, "application/json", MODELS.getBytes(StandardCharsets.UTF_8)));
        s.createContext("/v1/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().add("Content-Type", contentType);
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    answer.write(out);
                }
            } catch (IOException | RuntimeException e) {
                // the client hung up (what a refusal does): nothing to do
            }
        });
        // Handlers on their own threads: stop() then never waits for one still holding its connection open.
        s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return s;
    }

    interface Answer {
        void write(OutputStream out) throws IOException;
    }

    private static void send(HttpExchange ex, String type, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private static Answer sse(String... events) {
        return out -> {
            for (String e : events) {
                out.write(("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    private static final String CHUNK = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}";
    private static final String END = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    private static final String USAGE = "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private static void refused(Answer answer, String... expected) throws IOException {
        refused(answer, Duration.ofMinutes(1), expected);
    }

    private static void refused(Answer answer, Duration idle, String... expected) throws IOException {
        HttpServer s = fake("text/event-stream", answer);
        try (OpenAiUpstream u = new OpenAiUpstream(URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/v1"),
                idle)) {
            GenerateCall c = new GenerateCall("m", chat("x"), SamplingOptions.defaults(), 5, List.of(),
                    OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
            assertThatThrownBy(() -> u.generate(c, TextSink.DISCARD)).isInstanceOf(GatewayException.class)
                    .message().contains(expected);
        } finally {
            s.stop(0);
        }
    }

    @Test
    void aWellFormedFakeIsReadSoTheRefusalsBelowAreAboutTheirFault() throws IOException {
        HttpServer s = fake("text/event-stream", sse(CHUNK, END, USAGE, "[DONE]"));
        try (OpenAiUpstream u = new OpenAiUpstream(URI.create("http://127.0.0.1:" + s.getAddress().getPort()))) {
            Completion c = u.generate(new GenerateCall("m", chat("x"), SamplingOptions.defaults(), 5, List.of(),
                    OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT), TextSink.DISCARD);
            assertThat(c.text()).isEqualTo("Hi");
            assertThat(c.promptTokens()).isEqualTo(3);
            assertThat(c.generatedTokens()).isEqualTo(1);
        } finally {
            s.stop(0);
        }
    }

    @Test
    void anAnswerWithoutUsageIsNotSold() throws IOException {
        refused(sse(CHUNK, END, "[DONE]"), "sent no usage", "cannot be sold");
    }

    @Test
    void ollamasContextOfTokenIdsIsRefusedSinceTheOpenAiApiTakesNone() {
        GenerateCall call = new GenerateCall("m", new Prompt.Text("Hi", null, false),
                dev.hypha.ml.sampling.SamplingOptions.defaults(), 4, List.of(), java.util.OptionalInt.empty(),
                dev.hypha.node.gateway.KeepAlive.DEFAULT, GenerateCall.Format.TEXT).withContext(List.of(1, 2, 3));
        assertThatThrownBy(() -> OpenAiUpstreamBody.of(call, "m"))
                .isInstanceOfSatisfying(dev.hypha.node.gateway.GatewayException.class,
                        e -> assertThat(e.kind()).isEqualTo(dev.hypha.node.gateway.GatewayException.Kind.BAD_REQUEST))
                .hasMessageContaining("context");
    }

    @Test
    void aChunkThatIsNotJsonIsRefusedByName() throws IOException {
        refused(sse(CHUNK, "{\"choices\": [oops"), "sent a chunk that is not a JSON object");
        refused(sse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":7}}]}"), "delta.content must be a string");
        refused(sse(CHUNK, "{\"choices\":[],\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":1}}", "[DONE]"),
                "usage.prompt_tokens must be a non-negative integer");
        refused(sse(CHUNK), "ended its answer without data: [DONE]");
    }

    @Test
    void aLineWithoutEndIsCutAtTheBound() throws IOException {
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) 'a');
        refused(out -> {
            out.write("data: ".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 1024; i++) { // 64 MiB offered; the reader stops after its 1 MiB line bound
                out.write(block);
            }
        }, "longer than " + AnswerLines.MAX_LINE + " bytes");
    }

    @Test
    void aServerFallingSilentMidAnswerIsGivenUpAfterTheIdleTime() throws IOException {
        CountDownLatch released = new CountDownLatch(1);
        try {
            refused(out -> {
                out.write(("data: " + CHUNK + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                try {
                    released.await(); // silent, connection open, until the test ends
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, Duration.ofSeconds(1), "sent nothing for 1 s in the middle of its answer");
        } finally {
            released.countDown();
        }
    }

    @Test
    void embeddingsWithoutUsageOrWithTheWrongCountAreRefused() throws IOException {
        for (String[] c : new String[][] {
                {"{\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]}]}", "sent no usage.prompt_tokens"},
                {"{\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]},{\"index\":1,\"embedding\":[0.5,0.5]}],"
                        + "\"usage\":{\"prompt_tokens\":2}}", "holds 2 embeddings for 1 inputs"},
                {"{\"data\":[{\"index\":3,\"embedding\":[0.5]}],\"usage\":{\"prompt_tokens\":2}}", "out-of-range index 3"}}) {
            HttpServer s = fake("application/json", out -> out.write(c[0].getBytes(StandardCharsets.UTF_8)));
            try (OpenAiUpstream u = new OpenAiUpstream(URI.create("http://127.0.0.1:" + s.getAddress().getPort()))) {
                assertThatThrownBy(() -> u.embed(new EmbedCall("m", List.of("x"), true, KeepAlive.DEFAULT)))
                        .isInstanceOf(GatewayException.class).hasMessageContaining(c[1]);
            } finally {
                s.stop(0);
            }
        }
    }

}
