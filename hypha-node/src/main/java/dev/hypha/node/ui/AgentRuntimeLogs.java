package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.agents.AgentFolder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent runtime's logs for the Agents page: each agent folder under {@code <home>/agents/} that {@code hypha agent
 * create} made (see {@link AgentFolder}), with the newest {@link #MAX_LINES} lines of the log {@code hypha agent run}
 * writes there ({@code agent.log}, one line per prompt, tool call, booking, payment with its settlement transaction,
 * result, rating, stop), each split into time, step and text and given a kind the page can style. Bounded because a
 * log is outside input: at most {@link #MAX_AGENTS} agents (by name), the last {@link #MAX_TAIL_BYTES} of each file,
 * each line cut to {@link #MAX_LINE_CHARS}; the page puts every piece in as text, never as HTML.
 */
final class AgentRuntimeLogs {
    static final int MAX_AGENTS = 16;
    static final int MAX_LINES = 50;
    static final int MAX_TAIL_BYTES = 64 * 1024;
    static final int MAX_LINE_CHARS = 600;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** What {@code AgentLog.line} writes: "{instant} {tag} | {what}". */
    private static final Pattern LINE = Pattern.compile("(\\S+) (.{1,40}?) \\| (.*)");

    private final Path agents;

    AgentRuntimeLogs(Path home) {
        this.agents = Objects.requireNonNull(home, "home").resolve("agents");
    }

    /** {@code {present, agents: [{name, account, sessionKey, logBytes, lines: [{time, tag, kind, text}]}]}}. */
    ObjectNode json() {
        ObjectNode out = JSON.objectNode();
        ArrayNode list = out.putArray("agents");
        List<String> names = names();
        out.put("present", !names.isEmpty()).put("total", names.size());
        for (String name : names.subList(0, Math.min(MAX_AGENTS, names.size()))) {
            AgentFolder folder = new AgentFolder(agents.getParent(), name);
            ObjectNode a = list.addObject().put("name", name);
            try {
                AgentFolder.Record r = folder.record();
                a.put("account", org.web3j.crypto.Keys.toChecksumAddress(r.account()))
                        .put("sessionKey", org.web3j.crypto.Keys.toChecksumAddress(r.sessionKey()));
            } catch (RuntimeException e) {
                a.put("error", "unreadable agent.json");
            }
            Path log = folder.dir().resolve("agent.log");
            ArrayNode lines = a.putArray("lines");
            if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
                a.put("logBytes", 0);
                continue;
            }
            try {
                Tail tail = tail(log);
                a.put("logBytes", tail.size()).put("truncated", tail.cut());
                List<String> all = tail.lines();
                for (String line : all.subList(Math.max(0, all.size() - MAX_LINES), all.size())) {
                    lines.add(parse(line));
                }
            } catch (IOException e) {
                a.put("error", "cannot read agent.log: " + e.getMessage());
            }
        }
        return out;
    }

    private List<String> names() {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(agents, LinkOption.NOFOLLOW_LINKS)) {
            return names;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(agents)) {
            for (Path d : dirs) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(d.resolve("agent.json"))
                        && names.size() < 10_000) {
                    names.add(d.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return names;
        }
        names.sort(String::compareTo); // a directory listing has no order
        return names;
    }

    private record Tail(long size, boolean cut, List<String> lines) {}

    private static Tail tail(Path log) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long size = f.length();
            long from = Math.max(0, size - MAX_TAIL_BYTES);
            byte[] bytes = new byte[(int) (size - from)];
            f.seek(from);
            f.readFully(bytes);
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (from > 0 && !lines.isEmpty()) {
                lines.removeFirst(); // the first line was cut by the tail
            }
            if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                lines.removeLast();
            }
            return new Tail(size, from > 0, lines);
        }
    }

    private static ObjectNode parse(String raw) {
        String line = raw.length() > MAX_LINE_CHARS ? raw.substring(0, MAX_LINE_CHARS) + "…" : raw;
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return JSON.objectNode().put("time", "").put("tag", "").put("kind", "other").put("text", line);
        }
        String text = m.group(3);
        return JSON.objectNode().put("time", m.group(1)).put("tag", m.group(2)).put("kind", kind(m.group(2), text))
                .put("text", text);
    }

    /** What a line is about, from its step tag and the words {@code AgentRuntime} starts it with. */
    static String kind(String tag, String text) {
        if (tag.equals("tools")) return "tools";
        if (tag.equals("run") && text.startsWith("agent ")) return "prompt";
        if (text.startsWith("call ")) return "tool call";
        if (text.startsWith("booked ") || text.startsWith("paid ") || text.startsWith("resuming payment")) return "payment";
        if (text.startsWith("result: ")) return "result";
        if (text.startsWith("error: ") || text.startsWith("refused") || text.startsWith("payment refused")
                || text.startsWith("could not")) return "error";
        if (text.startsWith("rated ")) return "rating";
        if (text.startsWith("finished") || text.startsWith("stopped")) return "end";
        return "other";
    }
}
