package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log-probabilities on both APIs. Greedy decoding with no penalties picks the most likely token, so each chosen
 * token must be its position's first alternative; the tokens' bytes must join to the answer; the alternatives must be
 * ordered and no more probable together than 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogprobsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    GatewayFixture gateway;
    OpenAIClient client;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start(@TempDir Path home) {
        gateway = new GatewayFixture(home, 8);
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
    }

    private static ChatCompletionCreateParams greedy() {
        return ChatCompletionCreateParams.builder().model("tiny").addUserMessage("What is a fortune?").temperature(0.0)
                .maxCompletionTokens(12).logprobs(true).topLogprobs(3).build();
    }

    private static void assertConsistent(List<ChatCompletionTokenLogprob> lps, String text, long tokens) {
        assertThat(lps).hasSize((int) tokens);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (ChatCompletionTokenLogprob t : lps) {
            t.bytes().orElseThrow().forEach(b -> joined.write(b.intValue()));
            assertThat(t.topLogprobs()).hasSize(3);
            assertThat(t.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(t.topLogprobs().getFirst().token()).isEqualTo(t.token());
            assertThat(t.topLogprobs().getFirst().logprob()).isCloseTo(t.logprob(), within(1e-6));
            double total = 0;
            for (int i = 0; i < 3; i++) {
                total += Math.exp(t.topLogprobs().get(i).logprob());
                if (i > 0) {
                    assertThat(t.topLogprobs().get(i).logprob()).isLessThanOrEqualTo(t.topLogprobs().get(i - 1).logprob());
                }
            }
            assertThat(total).isLessThanOrEqualTo(1.0 + 1e-6);
        }
        assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void chatLogprobsThroughTheSdkStreamedOrNot() {
        ChatCompletion c = client.chat().completions().create(greedy());
        var choice = c.choices().getFirst();
        List<ChatCompletionTokenLogprob> lps = choice.logprobs().orElseThrow().content().orElseThrow();
        assertConsistent(lps, choice.message().content().orElseThrow(), c.usage().orElseThrow().completionTokens());

        List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(greedy())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch ->
                    ch.logprobs().flatMap(l -> l.content()).ifPresent(streamed::addAll)));
        }
        assertThat(streamed).extracting(ChatCompletionTokenLogprob::token)
                .containsExactlyElementsOf(lps.stream().map(ChatCompletionTokenLogprob::token).toList());
        // not asked for: none
        assertThat(client.chat().completions().create(greedy().toBuilder().logprobs(false).topLogprobs(0).build())
                .choices().getFirst().logprobs()).isEmpty();
    }

    @Test
    void legacyCompletionsGiveParallelLists() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("tiny").prompt("Once upon")
                .maxTokens(8).temperature(0.0).logprobs(2).build());
        var l = c.choices().getFirst().logprobs().orElseThrow();
        int n = (int) c.usage().orElseThrow().completionTokens();
        assertThat(l.tokens().orElseThrow()).hasSize(n);
        assertThat(l.tokenLogprobs().orElseThrow()).hasSize(n);
        assertThat(l.textOffset().orElseThrow().getFirst()).isZero();
        assertThat(String.join("", l.tokens().orElseThrow())).isEqualTo(c.choices().getFirst().text());
    }

    @Test
    void ollamaLogprobsComeWithTheAnswer() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.base() + "/api/chat"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"tiny","stream":false,"logprobs":true,"top_logprobs":2,
                         "options":{"temperature":0,"num_predict":6},"messages":[{"role":"user","content":"Hi"}]}"""))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("logprobs")).hasSize(j.get("eval_count").asInt());
        JsonNode first = j.get("logprobs").get(0);
        assertThat(first.get("top_logprobs")).hasSize(2);
        assertThat(first.get("token").asText()).isEqualTo(first.get("top_logprobs").get(0).get("token").asText());
        assertThat(first.get("bytes").isArray()).isTrue();

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(gateway.base() + "/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"x\",\"top_logprobs\":3}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).isEqualTo("top_logprobs needs logprobs set to true");
    }
}
