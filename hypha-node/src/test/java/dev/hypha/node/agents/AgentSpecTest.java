package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentSpecTest {
    private static AgentSpec parse(String json) {
        return AgentSpec.parse("spec.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static final String GOOD = """
            {"name":"buyer","task":"t","budget":{"limit":"1","perCall":"0.1","guardian":"0x0000000000000000000000000000000000000001"},
             "tools":[{"agent":3},{"mcp":"http://127.0.0.1:1/mcp"}],"steps":[{"tool":"shout","arguments":{"text":"x"}}],
             "rate":{"value":80,"tag":"q"}}""";

    @Test
    void readsAWholeSpec() {
        AgentSpec s = parse(GOOD);
        assertThat(s.name()).isEqualTo("buyer");
        assertThat(s.budget().period()).isEqualTo("1d");
        assertThat(s.tools().get(0).agentId()).contains(BigInteger.valueOf(3));
        assertThat(s.tools().get(1).mcpUrl()).contains("http://127.0.0.1:1/mcp");
        assertThat(s.steps().get(0).arguments()).containsEntry("text", "x");
        assertThat(s.rate().orElseThrow().value()).isEqualTo(80);
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> parse("[1]")).isInstanceOf(HyphaException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> parse(GOOD.replace("\"buyer\"", "\"../etc\""))).hasMessageContaining("name '../etc'");
        assertThatThrownBy(() -> parse(GOOD.replace("{\"agent\":3}", "{\"agent\":3,\"mcp\":\"http://x\"}")))
                .hasMessageContaining("either \"mcp\"");
        assertThatThrownBy(() -> parse(GOOD.replace("http://127.0.0.1:1/mcp", "file:///etc/passwd")))
                .hasMessageContaining("must be an http(s) URL");
        assertThatThrownBy(() -> parse(GOOD.replace("\"value\":80", "\"value\":101"))).hasMessageContaining("0..100");
        assertThatThrownBy(() -> parse(GOOD.replace("\"steps\":[{\"tool\":\"shout\",\"arguments\":{\"text\":\"x\"}}]", "\"steps\":[]")))
                .hasMessageContaining("steps, when given, must be an array of 1..");
        assertThatThrownBy(() -> parse("{\"name\":\"a\"}")).hasMessageContaining("budget");
        assertThatThrownBy(() -> parse("{not json")).hasMessageContaining("not JSON");
    }

    private static AgentSpec withFetch(String fetch) {
        return parse(GOOD.replace("\"rate\":", "\"fetch\":" + fetch + ",\"rate\":"));
    }

    @Test
    void readsTheFetchAllowlistWithItsDefaults() {
        assertThat(parse(GOOD).fetch()).isEmpty();
        FetchPolicy f = withFetch("{\"hosts\":[\"API.Example.com\",\"127.0.0.1:8080\",\"[::1]:9\"]}").fetch().orElseThrow();
        assertThat(f.hosts()).extracting(Object::toString).containsExactly("api.example.com", "127.0.0.1:8080", "[::1]:9");
        assertThat(f.hosts()).extracting(FetchPolicy.Host::loopback).containsExactly(false, true, true);
        assertThat(f.maxBytes()).isEqualTo(FetchPolicy.DEFAULT_MAX_BYTES);
        assertThat(f.timeout().toSeconds()).isEqualTo(FetchPolicy.DEFAULT_TIMEOUT_SECONDS);
        assertThat(f.maxRedirects()).isEqualTo(FetchPolicy.DEFAULT_REDIRECTS);
        FetchPolicy g = withFetch("{\"hosts\":[\"a.b\"],\"maxBytes\":10,\"timeoutSeconds\":3,\"redirects\":0}")
                .fetch().orElseThrow();
        assertThat(g.maxBytes()).isEqualTo(10);
        assertThat(g.maxRedirects()).isZero();
        assertThat(g.check(java.net.URI.create("https://A.B/x?y")).host()).isEqualTo("a.b");
        assertThatThrownBy(() -> g.check(java.net.URI.create("https://a.b:8443/"))).hasMessageContaining("a.b:8443");
    }

    @Test
    void namesWhatIsWrongInTheFetchAllowlist() {
        assertThatThrownBy(() -> withFetch("true")).hasMessageContaining("fetch must be an object with hosts");
        assertThatThrownBy(() -> withFetch("{}")).hasMessageContaining("fetch.hosts must list 1..");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[]}")).hasMessageContaining("fetch.hosts must list 1..");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[7]}")).hasMessageContaining("entries must be strings");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"https://a.b/\"]}")).hasMessageContaining("not a URL");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"*.a.b\"]}")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"a b\"]}")).hasMessageContaining("is not a host name");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"a.b:99999\"]}")).hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"a.b\"],\"maxBytes\":0}")).hasMessageContaining("fetch.maxBytes");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"a.b\"],\"maxBytes\":2000000}")).hasMessageContaining("1..1048576");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"a.b\"],\"timeoutSeconds\":61}")).hasMessageContaining("fetch.timeoutSeconds");
        assertThatThrownBy(() -> withFetch("{\"hosts\":[\"a.b\"],\"redirects\":6}")).hasMessageContaining("fetch.redirects");
    }

    private static AgentSpec withServe(String serve) {
        return parse(GOOD.replace("\"rate\":", "\"serve\":" + serve + ",\"rate\":"));
    }

    @Test
    void readsWhatAnAgentSellsAndNamesWhatIsWrongWithIt() {
        AgentSpec.Service s = withServe("{\"tool\":\"write\",\"description\":\"writes\",\"price\":\"0.003\"}")
                .serve().orElseThrow();
        assertThat(s).isEqualTo(new AgentSpec.Service("write", "writes", "0.003", 64, "generate", Optional.empty()));
        assertThat(withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"maxTokens\":512,"
                + "\"inference\":\"complete\"}").serve().orElseThrow().inference()).isEqualTo("complete");
        assertThat(parse(GOOD).serve()).isEmpty();
        assertThatThrownBy(() -> withServe("[]")).hasMessageContaining("serve must be an object");
        assertThatThrownBy(() -> withServe("{\"tool\":\"a b\",\"description\":\"d\",\"price\":\"1\"}"))
                .hasMessageContaining("serve.tool 'a b'");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"\",\"price\":\"1\"}"))
                .hasMessageContaining("serve.description must be 1..512");
        for (String price : new String[] {"0", "0.000", "-1", "1.1234567", "1e3", "free"}) {
            assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"" + price + "\"}"))
                    .as(price).hasMessageContaining("serve.price '" + price + "' must be an hUSD amount above 0");
        }
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"maxTokens\":513}"))
                .hasMessageContaining("serve.maxTokens must be a whole number 1..512");
        assertThatThrownBy(() -> parse(GOOD.replace("\"tools\":[{\"agent\":3},{\"mcp\":\"http://127.0.0.1:1/mcp\"}]",
                "\"tools\":[]").replace("\"rate\":", "\"serve\":{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\"},"
                + "\"rate\":"))).hasMessageContaining("serve needs a tool source for its inference");
    }

    @Test
    void readsAnInferenceChannelAndNamesWhatIsWrongWithIt() {
        String url = "https://p.example/provider/v1/x402/completions";
        AgentSpec.Service s = withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":{\"url\":\""
                + url + "\",\"deposit\":\"0.01\"}}").serve().orElseThrow();
        assertThat(s.channel()).contains(new AgentSpec.InferenceChannel(java.net.URI.create(url), "0.01"));
        // with a channel, no tool source is needed for the inference
        assertThat(parse(GOOD.replace("\"tools\":[{\"agent\":3},{\"mcp\":\"http://127.0.0.1:1/mcp\"}]", "\"tools\":[]")
                .replace("\"rate\":", "\"serve\":{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                        + "{\"url\":\"http://127.0.0.1:9/x\",\"deposit\":\"1\"}},\"rate\":")).serve().orElseThrow().channel())
                .isPresent();
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"url\":\"http://p.example/x\",\"deposit\":\"1\"}}")).hasMessageContaining("http only on loopback");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"url\":\"" + url + "\",\"deposit\":\"0\"}}")).hasMessageContaining("serve.channel.deposit '0'");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"maxTokens\":257,"
                + "\"channel\":{\"url\":\"" + url + "\",\"deposit\":\"1\"}}")).hasMessageContaining("at most 256");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"url\":\"" + url + "\",\"deposit\":\"1\",\"extra\":1}}")).hasMessageContaining("has a field 'extra'");
        // the model form: the provider is chosen from the offers, optionally under a price cap
        assertThat(withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"model\":\"hypha-tiny\",\"maxPrice\":\"0.5\",\"deposit\":\"0.01\"}}").serve().orElseThrow().channel())
                .contains(new AgentSpec.InferenceChannel(java.util.Optional.empty(), java.util.Optional.of("hypha-tiny"),
                        java.util.Optional.of("0.5"), "0.01"));
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"model\":\"m\",\"url\":\"" + url + "\",\"deposit\":\"1\"}}")).hasMessageContaining("both a model and a url");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"model\":\"m\",\"maxPrice\":\"-1\",\"deposit\":\"1\"}}")).hasMessageContaining("serve.channel.maxPrice '-1'");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"url\":\"" + url + "\",\"maxPrice\":\"1\",\"deposit\":\"1\"}}")).hasMessageContaining("maxPrice goes with model");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":"
                + "{\"deposit\":\"1\"}}")).hasMessageContaining("needs model");
        assertThatThrownBy(() -> withServe("{\"tool\":\"w\",\"description\":\"d\",\"price\":\"1\",\"channel\":\"x\"}"))
                .hasMessageContaining("serve.channel must be an object");
    }
}
