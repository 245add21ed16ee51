package dev.hypha.node.gateway.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.ollama.OllamaRequests;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The body the paying gateway sends a provider reads back, with the provider's own parser, as the same call. */
class OllamaRequestBodyTest {
    private final OllamaRequests parser = new OllamaRequests(() -> 1);

    private GenerateCall roundTrip(String json) {
        GenerateCall call = parser.generate(JsonBody.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))).call().orElseThrow();
        return parser.generate(JsonBody.parse(OllamaRequestBody.of(call))).call().orElseThrow();
    }

    @Test
    void aSuffixAndAContextReachTheProvider() {
        assertThat(roundTrip("{\"model\":\"m\",\"prompt\":\"p\",\"suffix\":\"s\"}").prompt())
                .isEqualTo(new Prompt.Infill("p", "s"));
        GenerateCall withContext = roundTrip("{\"model\":\"m\",\"prompt\":\"p\",\"context\":[5,6,7]}");
        assertThat(withContext.context()).isEqualTo(List.of(5, 6, 7));
        assertThat(withContext.prompt()).isEqualTo(new Prompt.Text("p", null, false));
    }
}
