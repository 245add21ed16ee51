package dev.hypha.node.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.node.agents.AgentFolder;
import dev.hypha.node.agents.AgentLog;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** The Agents page's view of the runtime's logs: parsed as AgentLog writes them, bounded, in name order. */
class AgentRuntimeLogsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);
    private static final Credentials SESSION = Credentials.create("0x" + "11".repeat(32));
    private static final String ACCOUNT = "0x00000000000000000000000000000000000000aa";

    @TempDir
    Path home;

    private AgentLog agent(String name) {
        AgentFolder folder = new AgentFolder(home, name);
        folder.create("{}".getBytes(StandardCharsets.UTF_8), SESSION,
                new AgentFolder.Record(ACCOUNT, SESSION.getAddress(), 31_337, BigInteger.TEN));
        return new AgentLog(folder.dir().resolve("agent.log"), CLOCK);
    }

    @Test
    void linesAreSplitIntoTimeStepKindAndTextAsTheRuntimeWritesThem() {
        AgentLog log = agent("researcher");
        log.line("run", "agent researcher, task: " + AgentLog.quote("<script>alert(1)</script>") + "; account x");
        log.line("tools", "agent #1 (" + AgentLog.quote("<i>seller</i>") + ") serves MCP at http://127.0.0.1:1/mcp");
        log.line("step 1", "call search {\"q\":\"x\"} at http://127.0.0.1:1/mcp");
        log.line("step 1", "paid 1000 to 0xAb, settled in 0x" + "ab".repeat(32));
        log.line("step 1", "result: " + AgentLog.quote("<img src=x onerror=alert(2)>"));
        log.line("run", "finished: 1 steps, 1 paid this run (1000)");
        JsonNode json = new AgentRuntimeLogs(home).json();
        assertThat(json.get("present").asBoolean()).isTrue();
        JsonNode a = json.get("agents").get(0);
        assertThat(a.get("name").asText()).isEqualTo("researcher");
        assertThat(a.get("account").asText()).isEqualTo(org.web3j.crypto.Keys.toChecksumAddress(ACCOUNT));
        assertThat(a.get("lines")).hasSize(6);
        assertThat(a.get("lines").findValuesAsText("kind"))
                .containsExactly("prompt", "tools", "tool call", "payment", "result", "end");
        assertThat(a.get("lines").findValuesAsText("tag")).containsExactly("run", "tools", "step 1", "step 1", "step 1", "run");
        assertThat(a.get("lines").get(0).get("time").asText()).isEqualTo("2026-12-07T12:00:00Z");
        assertThat(a.get("lines").get(4).get("text").asText()).as("kept as text; the page never parses it as HTML")
                .isEqualTo("result: <img src=x onerror=alert(2)>");
    }

    @Test
    void aLongLogIsReadFromItsTailAndCutToTheNewestLines() throws Exception {
        AgentLog log = agent("busy");
        String filler = "x".repeat(1_000);
        for (int i = 1; i <= 200; i++) {
            log.line("step " + i, "result: " + i + " " + filler);
        }
        Files.writeString(log.file(), "not a runtime line " + "y".repeat(5_000) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        JsonNode a = new AgentRuntimeLogs(home).json().get("agents").get(0);
        assertThat(a.get("truncated").asBoolean()).isTrue();
        assertThat(a.get("logBytes").asLong()).isEqualTo(Files.size(log.file()));
        JsonNode lines = a.get("lines");
        assertThat(lines).hasSize(AgentRuntimeLogs.MAX_LINES);
        JsonNode last = lines.get(lines.size() - 1);
        assertThat(last.get("kind").asText()).isEqualTo("other");
        assertThat(last.get("text").asText()).hasSize(AgentRuntimeLogs.MAX_LINE_CHARS + 1).endsWith("…");
        assertThat(lines.get(lines.size() - 2).get("tag").asText()).isEqualTo("step 200");
    }

    @Test
    void agentsAreListedByNameAndBoundedAndFoldersWithoutARecordAreNotAgents() throws Exception {
        for (int i = AgentRuntimeLogs.MAX_AGENTS + 2; i >= 1; i--) {
            agent(String.format("agent-%02d", i));
        }
        Files.createDirectories(home.resolve("agents").resolve("half-made"));
        JsonNode json = new AgentRuntimeLogs(home).json();
        assertThat(json.get("total").asInt()).isEqualTo(AgentRuntimeLogs.MAX_AGENTS + 2);
        assertThat(json.get("agents")).hasSize(AgentRuntimeLogs.MAX_AGENTS);
        assertThat(json.get("agents").get(0).get("name").asText()).isEqualTo("agent-01");
        assertThat(json.get("agents").get(0).get("lines")).isEmpty();
        assertThat(new AgentRuntimeLogs(home.resolve("nowhere")).json().get("present").asBoolean()).isFalse();
    }
}
