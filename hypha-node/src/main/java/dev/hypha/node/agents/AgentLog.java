package dev.hypha.node.agents;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Objects;

/**
 * An agent's readable log ({@code hypha agent logs}): one line per thing it did (the task, each tool call, each
 * payment with its booking and settlement transactions, each result and rating, why it stopped), appended as it
 * happens. Outside text (tool answers, server errors) is made printable and shortened, so a hostile tool cannot
 * forge lines or flood the terminal.
 */
public final class AgentLog {
    /** Longest piece of outside text kept in one line. */
    static final int MAX_QUOTE = 400;

    private final Path file;
    private final Clock clock;

    public AgentLog(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Appends {@code what} under {@code tag} (e.g. "step 3"). */
    public void line(String tag, String what) {
        String text = clock.instant() + " " + tag + " | " + what + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw HyphaException.io("cannot write agent log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Outside text made safe for one log line. */
    public static String quote(String outside) {
        String s = TerminalText.line(outside == null ? "" : outside);
        return s.length() <= MAX_QUOTE ? s : s.substring(0, MAX_QUOTE) + "… (" + s.length() + " chars)";
    }

    public Path file() {
        return file;
    }
}
