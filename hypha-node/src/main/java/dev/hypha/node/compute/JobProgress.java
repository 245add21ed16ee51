package dev.hypha.node.compute;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running job's latest report: steps done of the total, the last step's loss, and samples per second over the last
 * report interval (measured with the provider's monotonic clock, for display only).
 *
 * <p>The job's log carries these reports as {@link #logLine()} lines; {@link #parseLogLine} reads them back, so the
 * dashboard draws a job's curves from the same log the tenant reads, and the format lives in one place.
 */
public record JobProgress(long step, long steps, double loss, double samplesPerSecond) {
    /** "step 12/200 loss 1.0931 5120.3 samples/s" (the loss may be NaN or Infinity when training diverged). */
    private static final Pattern LINE = Pattern.compile(
            "step ([0-9]{1,18})/([0-9]{1,18}) loss (-?[0-9]{1,30}\\.[0-9]{1,12}|NaN|-?Infinity) ([0-9]{1,30}\\.[0-9]{1,6}) samples/s");

    /** The report as one log line. */
    public String logLine() {
        return String.format(Locale.ROOT, "step %d/%d loss %.4f %.1f samples/s", step, steps, loss, samplesPerSecond);
    }

    /** A log line written by {@link #logLine()}, or empty for any other line. */
    public static Optional<JobProgress> parseLogLine(String line) {
        if (line == null || line.length() > 200) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new JobProgress(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
    }
}
