package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.local.GenerationEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The Ollama API over a real server on loopback, spoken to with java.net.http, checked against the engine itself. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OllamaApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    GatewayFixture gateway;
    DirectEngine engine;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start(@TempDir Path home) {
        gateway = new GatewayFixture(home, 8);
        engine = new DirectEngine(gateway.store, GatewayFixture.MODEL);
    }

    @AfterAll
    void stop() {
        engine.close();
        gateway.close();
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        List<JsonNode> lines() {
            List<JsonNode> out = new ArrayList<>();
            for (String l : body.split("\n")) {
                if (!l.isBlank()) {
                    try {
                        out.add(JSON.readTree(l));
                    } catch (Exception e) {
                        throw new AssertionError("not an NDJSON line: " + l, e);
                    }
                }
            }
            return out;
        }
    }

    Reply post(String path, String body) throws Exception {
        return post(gateway, path, body);
    }

    Reply post(GatewayFixture gw, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }

    Reply get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }

    @Test
    void rootAndVersionAnswerAsOllamaDoes() throws Exception {
        assertThat(get("/").body()).isEqualTo("Ollama is running");
        assertThat(get("/api/version").json().get("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void greedyChatEqualsTheEnginesOwnConversation() throws Exception {
        Reply r = post("/api/chat", """
                {"model":"tiny","stream":false,"messages":[{"role":"system","content":"Be brief."},
                 {"role":"user","content":"What is a fortune?"}],"options":{"temperature":0,"num_predict":24}}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        String expected = engine.chat("Be brief.", "What is a fortune?", 24, SamplingOptions.greedy());
        assertThat(j.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(j.at("/message/content").asText()).isEqualTo(expected).isNotEmpty();
        assertThat(j.get("done").asBoolean()).isTrue();
        assertThat(j.get("model").asText()).isEqualTo("tiny");
        assertThat(j.get("eval_count").asInt()).isBetween(1, 24);
        assertThat(j.get("prompt_eval_count").asInt()).isPositive();
        for (String f : List.of("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")) {
            assertThat(j.has(f)).as(f).isTrue();
        }
        assertThat(j.get("done_reason").asText()).isIn("stop", "length");
    }

    @Test
    void streamedChatIsTheSameTextInNdjsonPieces() throws Exception {
        String body = """
                {"model":"tiny:latest","messages":[{"role":"user","content":"Tell me a fortune"}],
                 "options":{"temperature":0,"num_predict":30}}""";
        Reply streamed = post("/api/chat", body);
        assertThat(streamed.contentType()).startsWith("application/x-ndjson");
        List<JsonNode> lines = streamed.lines();
        assertThat(lines.size()).isGreaterThan(2);
        StringBuilder text = new StringBuilder();
        for (JsonNode l : lines.subList(0, lines.size() - 1)) {
            assertThat(l.get("done").asBoolean()).isFalse();
            text.append(l.at("/message/content").asText());
        }
        JsonNode last = lines.getLast();
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("eval_count").asInt()).isPositive();
        assertThat(text.toString()).isEqualTo(engine.chat(null, "Tell me a fortune", 30, SamplingOptions.greedy()));
    }

    @Test
    void seededRawGenerateEqualsTheGeneratorWithOllamasDefaults() throws Exception {
        Reply r = post("/api/generate", """
                {"model":"tiny","prompt":"Once upon a time","raw":true,"stream":false,
                 "options":{"seed":42,"num_predict":40}}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // Ollama's defaults: temperature 0.8, top_k 40, top_p 0.9, min_p 0, repeat_penalty 1 over 64 tokens.
        SamplingOptions ollamaDefaults = new SamplingOptions(0.8f, 40, 0.9f, 0f, 1f, 0f, 0f, 64, 42);
        assertThat(r.json().get("response").asText()).isEqualTo(engine.raw("Once upon a time", 40, ollamaDefaults));
        Reply again = post("/api/generate", """
                {"model":"tiny","prompt":"Once upon a time","raw":true,"stream":false,"options":{"seed":42,"num_predict":40}}""");
        assertThat(again.json().get("response").asText()).isEqualTo(r.json().get("response").asText());
    }

    @Test
    void samplingOptionsReachTheSampler() throws Exception {
        SamplingOptions s = new SamplingOptions(1.3f, 7, 0.8f, 0.02f, 1.1f, 0f, 0f, 64, 9);
        Reply r = post("/api/generate", """
                {"model":"tiny","prompt":"The sea","raw":true,"stream":false,
                 "options":{"seed":9,"num_predict":30,"temperature":1.3,"top_k":7,"top_p":0.8,"min_p":0.02,"repeat_penalty":1.1}}""");
        assertThat(r.json().get("response").asText()).isEqualTo(engine.raw("The sea", 30, s));
    }

    @Test
    void stopSequencesEndTheAnswerAndAreNotPartOfIt() throws Exception {
        String full = engine.raw("Hello", 40, SamplingOptions.greedy());
        assertThat(full.length()).isGreaterThan(6);
        String stop = full.substring(4, 6);
        Reply r = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":40,\"stop\":[" + JSON.writeValueAsString(stop) + "]}}");
        assertThat(r.json().get("response").asText()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(r.json().get("done_reason").asText()).isEqualTo("stop");
    }

    @Test
    void templatedGenerateWithASystemMessageEqualsAChat() throws Exception {
        Reply r = post("/api/generate", """
                {"model":"tiny","prompt":"Why?","system":"You answer riddles.","stream":false,
                 "options":{"temperature":0,"num_predict":16}}""");
        assertThat(r.json().get("response").asText())
                .isEqualTo(engine.chat("You answer riddles.", "Why?", 16, SamplingOptions.greedy()));
    }

    @Test
    void generateReturnsItsContextAndTheNextPromptContinuesIt() throws Exception {
        JsonNode first = post("/api/generate", """
                {"model":"tiny","prompt":"Tell me a fortune","stream":false,"options":{"temperature":0,"num_predict":12}}""")
                .json();
        int[] c1 = ints(first.get("context"));
        // Ollama's context: the prompt and the answer, in tokens
        assertThat(c1).hasSize(first.get("prompt_eval_count").asInt() + first.get("eval_count").asInt());
        // The same templated prompt alone tells which tokens the second request's own prompt is.
        JsonNode alone = post("/api/generate", """
                {"model":"tiny","prompt":"And another","stream":false,"options":{"temperature":0,"num_predict":1}}""")
                .json();
        int[] own = java.util.Arrays.copyOf(ints(alone.get("context")), alone.get("prompt_eval_count").asInt());
        int skip = own[0] == engine.bos() ? 1 : 0; // a begin-of-text marker is not repeated after the context
        int[] expectedPrompt = java.util.stream.IntStream.concat(java.util.Arrays.stream(c1),
                java.util.Arrays.stream(own, skip, own.length)).toArray();

        JsonNode second = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"And another\",\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":12},\"context\":" + first.get("context") + "}").json();
        assertThat(second.get("prompt_eval_count").asInt()).isEqualTo(expectedPrompt.length);
        assertThat(second.get("response").asText())
                .isEqualTo(engine.continued(expectedPrompt, 12, SamplingOptions.greedy()));
        int[] c2 = ints(second.get("context"));
        assertThat(java.util.Arrays.copyOf(c2, expectedPrompt.length)).isEqualTo(expectedPrompt);

        // streamed, the context comes with the last line
        List<JsonNode> lines = post("/api/generate", """
                {"model":"tiny","prompt":"Tell me a fortune","options":{"temperature":0,"num_predict":12}}""").lines();
        assertThat(ints(lines.getLast().get("context"))).isEqualTo(c1);
        assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(l -> assertThat(l.has("context")).isFalse());
    }

    @Test
    void rawPromptsAndChatsReturnNoContextAndBadContextsAreRefused() throws Exception {
        JsonNode raw = post("/api/generate", """
                {"model":"tiny","prompt":"Once","raw":true,"stream":false,"context":[1,2,3],
                 "options":{"temperature":0,"num_predict":4}}""").json();
        assertThat(raw.has("context")).isFalse(); // Ollama ignores context with raw, and returns none
        assertThat(raw.get("response").asText()).isEqualTo(engine.raw("Once", 4, SamplingOptions.greedy()));
        JsonNode chat = post("/api/chat", """
                {"model":"tiny","stream":false,"messages":[{"role":"user","content":"Hi"}],"options":{"num_predict":2}}""")
                .json();
        assertThat(chat.has("context")).isFalse();

        Reply beyond = post("/api/generate", """
                {"model":"tiny","prompt":"Hi","stream":false,"context":[1,2000000000]}""");
        assertThat(beyond.status()).isEqualTo(400);
        assertThat(beyond.json().get("error").asText()).contains("token id 2000000000").contains("vocabulary");
        for (String bad : List.of("\"context\":\"1 2 3\"", "\"context\":[1,-2]", "\"context\":[1.5]",
                "\"context\":[\"7\"]", "\"context\":[99999999999]")) {
            Reply r = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"Hi\",\"stream\":false," + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(bad).contains("context");
        }
    }

    private static int[] ints(JsonNode array) {
        assertThat(array).as("context").isNotNull();
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void numPredictLimitsTheAnswerAndSaysLength() throws Exception {
        JsonNode j = post("/api/generate", """
                {"model":"tiny","prompt":"Count","raw":true,"stream":false,"options":{"temperature":0,"num_predict":3}}""")
                .json();
        assertThat(j.get("eval_count").asInt()).isLessThanOrEqualTo(3);
        if (j.get("eval_count").asInt() == 3) {
            assertThat(j.get("done_reason").asText()).isEqualTo("length");
        }
    }

    @Test
    void formatJsonKeepsTheAnswerValidJson(@TempDir Path otherHome) throws Exception {
        // Every answer must be a prefix of one JSON object (the same request without format is not), and one that
        // stopped on its own a whole object: the constraint allows the end token only after the last brace. A
        // random-weight model closes what it opens only now and then, so several seeds are tried and at least one
        // must have closed its object. This test's usual model never does in reach; the one of weight seed 11 does (found
        // by trying; the outcome is fixed by the seeds), so this test serves it from a second gateway.
        try (GatewayFixture closer = new GatewayFixture(otherHome, 8, 11, 256)) {
            formatJsonOn(closer);
        }
    }

    private void formatJsonOn(GatewayFixture gw) throws Exception {
        String body = "{\"model\":\"tiny\",\"prompt\":\"A cat as JSON\",\"stream\":false,"
                + "\"options\":{\"seed\":%d,\"num_predict\":30}%s}";
        int complete = 0;
        for (int seed = 1; seed <= 20; seed++) {
            JsonNode j = post(gw, "/api/generate", body.formatted(seed, ",\"format\":\"json\"")).json();
            String text = j.get("response").asText();
            assertThat(text.strip()).startsWith("{");
            assertThat(dev.hypha.ml.llm.JsonConstraint.isPrefix(text.getBytes(StandardCharsets.UTF_8))).as(text).isTrue();
            if (j.get("done_reason").asText().equals("stop")) {
                assertThat(JSON.readTree(text).isObject()).as(text).isTrue();
                complete++;
            }
            if (seed <= 4) {
                String free = post(gw, "/api/generate", body.formatted(seed, "")).json().get("response").asText();
                assertThat(dev.hypha.ml.llm.JsonConstraint.isPrefix(free.getBytes(StandardCharsets.UTF_8))).as(free).isFalse();
            }
        }
        assertThat(complete).as("answers that closed their object and ended").isPositive();
        JsonNode chat = post(gw, "/v1/chat/completions", """
                {"model":"tiny","seed":3,"max_tokens":60,"response_format":{"type":"json_object"},
                 "messages":[{"role":"user","content":"A cat as JSON"}]}""").json();
        String content = chat.at("/choices/0/message/content").asText();
        assertThat(content.strip()).startsWith("{");
        assertThat(dev.hypha.ml.llm.JsonConstraint.isPrefix(content.getBytes(StandardCharsets.UTF_8))).as(content).isTrue();
    }

    @Test
    void tagsShowAndPsDescribeTheStore() throws Exception {
        JsonNode tags = get("/api/tags").json();
        assertThat(tags.get("models")).hasSize(1);
        JsonNode m = tags.get("models").get(0);
        assertThat(m.get("name").asText()).isEqualTo("tiny:latest");
        assertThat(m.get("size").asLong()).isEqualTo(java.nio.file.Files.size(gateway.modelFile()));
        assertThat(m.get("digest").asText()).startsWith("bafk");
        assertThat(m.at("/details/family").asText()).isEqualTo("qwen2");
        assertThat(m.at("/details/quantization_level").asText()).isNotEmpty();

        JsonNode show = post("/api/show", "{\"model\":\"tiny\"}").json();
        assertThat(show.at("/model_info/general.architecture").asText()).isEqualTo("qwen2");
        assertThat(show.at("/model_info/qwen2.context_length").asInt()).isEqualTo(GatewayFixture.CONTEXT);
        assertThat(show.at("/model_info/tokenizer.ggml.tokens")).isEmpty(); // long arrays only when verbose
        JsonNode verbose = post("/api/show", "{\"model\":\"tiny\",\"verbose\":true}").json();
        assertThat(verbose.at("/model_info/tokenizer.ggml.tokens")).hasSize(1000);
        assertThat(show.get("capabilities").toString()).contains("completion");

        post("/api/generate", "{\"model\":\"tiny\",\"keep_alive\":\"10m\"}");
        JsonNode ps = get("/api/ps").json();
        assertThat(ps.get("models")).hasSize(1);
        assertThat(ps.at("/models/0/name").asText()).isEqualTo("tiny:latest");
        assertThat(ps.at("/models/0/expires_at").asText()).isNotEmpty();
    }

    @Test
    void anEmptyPromptLoadsAndKeepAliveZeroUnloads() throws Exception {
        JsonNode load = post("/api/generate", "{\"model\":\"tiny\"}").json();
        assertThat(load.get("done_reason").asText()).isEqualTo("load");
        assertThat(get("/api/ps").json().get("models")).hasSize(1);
        JsonNode unload = post("/api/chat", "{\"model\":\"tiny\",\"messages\":[],\"keep_alive\":0}").json();
        assertThat(unload.get("done_reason").asText()).isEqualTo("unload");
        assertThat(get("/api/ps").json().get("models")).isEmpty();
    }

    @Test
    void embedEqualsTheEnginesEmbedder() throws Exception {
        Reply r = post("/api/embed", "{\"model\":\"tiny\",\"input\":[\"fortune favours the bold\",\"a second text\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode e = r.json().get("embeddings");
        assertThat(e).hasSize(2);
        float[] expected = engine.embed("fortune favours the bold");
        assertThat(e.get(0)).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((float) e.get(0).get(i).asDouble()).isEqualTo(expected[i]);
        }
        assertThat(r.json().get("prompt_eval_count").asInt()).isPositive();
        JsonNode legacy = post("/api/embeddings", "{\"model\":\"tiny\",\"prompt\":\"fortune favours the bold\"}").json();
        assertThat((float) legacy.get("embedding").get(0).asDouble()).isEqualTo(expected[0]);
    }

    @Test
    void errorsHaveOllamasShapeAndStatus() throws Exception {
        Reply unknown = post("/api/generate", "{\"model\":\"nope\",\"prompt\":\"hi\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).isEqualTo("model \"nope\" not found, try pulling it first");
        assertThat(post("/api/show", "{\"model\":\"nope\"}").status()).isEqualTo(404);

        Reply malformed = post("/api/chat", "{\"model\":\"tiny\",\"messages\":[");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).startsWith("request body is not valid JSON: ")
                .contains("(at line 1, column").doesNotContain("Source");

        Reply role = post("/api/chat", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"admin\",\"content\":\"x\"}]}");
        assertThat(role.status()).isEqualTo(400);
        assertThat(role.json().get("error").asText()).contains("messages[0].role", "\"admin\"", "system, user, assistant, tool");

        Reply wrongType = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"x\",\"options\":{\"temperature\":\"hot\"}}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("error").asText()).isEqualTo("temperature must be a number, got a string");

        Reply noModel = post("/api/generate", "{\"prompt\":\"x\"}");
        assertThat(noModel.json().get("error").asText()).isEqualTo("model is required");

        Reply deep = post("/api/generate", "{\"model\":\"tiny\",\"x\":" + "[".repeat(500) + "]".repeat(500) + "}");
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.json().get("error").asText()).contains("nested");

        Reply schema = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"x\",\"format\":{\"type\":\"object\","
                + "\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"^x\"}}}}");
        assertThat(schema.status()).isEqualTo(400);
        assertThat(schema.json().get("error").asText()).startsWith("format: properties.a: keyword \"pattern\" is not supported");

        Reply tooLong = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"" + "fortune ".repeat(3000)
                + "\",\"raw\":true,\"options\":{\"num_ctx\":64}}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("error").asText()).contains("context of 64 tokens");
    }

    @Test
    void aSuffixGetsOllamasAnswerForAModelWithoutTheInsertCapability() throws Exception {
        // Ollama: an unknown model is 404 first; then a model whose capabilities lack "insert" is a 400 naming it.
        Reply unknown = post("/api/generate", "{\"model\":\"nope\",\"prompt\":\"def f(\",\"suffix\":\"return x\"}");
        assertThat(unknown.status()).isEqualTo(404);
        Reply insert = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"def f(\",\"suffix\":\"return x\"}");
        assertThat(insert.status()).isEqualTo(400);
        assertThat(insert.json().get("error").asText()).isEqualTo("tiny:latest does not support insert");
        Reply show = post("/api/show", "{\"model\":\"tiny\"}");
        assertThat(show.json().get("capabilities")).noneMatch(c -> c.asText().equals("insert"));
        // An empty suffix is no suffix, as in Ollama.
        assertThat(post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"x\",\"suffix\":\"\",\"stream\":false,"
                + "\"options\":{\"num_predict\":2}}").status()).isEqualTo(200);
    }

    @Test
    void aClientThatLeavesMidStreamStopsTheGenerator() throws Exception {
        leaveAfterThreePieces("/api/generate",
                "{\"model\":\"tiny\",\"prompt\":\"Once\",\"raw\":true,\"options\":{\"temperature\":0}}", "\"response\"");
    }

    @Test
    void anSseClientThatLeavesMidStreamStopsTheGeneratorToo() throws Exception {
        leaveAfterThreePieces("/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"Once\",\"stream\":true,\"temperature\":0}", "\"text\"");
    }

    private void leaveAfterThreePieces(String path, String body, String pieceMarker) throws Exception {
        gateway.events.clear();
        int received = 0;
        try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && received < 3) {
                if (line.contains(pieceMarker)) {
                    received++;
                }
            }
        } // the client closes the connection after three pieces
        GenerationEvent e = gateway.events.poll(5, TimeUnit.MINUTES);
        assertThat(e).as("the generation ended").isNotNull();
        assertThat(received).isEqualTo(3);
        assertThat(e.outcome()).isEqualTo(GenerationEvent.Outcome.CANCELLED);
        // Unbounded (num_predict -1) it would run to the end of the 8192-token context; it stopped at the first
        // piece the client could not take, so at most one generated token was never delivered.
        assertThat(e.generated()).isLessThan(GatewayFixture.CONTEXT - 10);
        assertThat(e.generated() - e.delivered()).isLessThanOrEqualTo(1);
        // and the model is free again for the next request
        assertThat(post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":2}}")
                .status()).isEqualTo(200);
    }
}
