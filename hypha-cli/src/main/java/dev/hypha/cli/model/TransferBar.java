package dev.hypha.cli.model;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A download's progress on stderr, one line redrawn in place: {@code pulling 3a9f…c2 [#####.....] 50% 12.0 MiB/24.0 MiB
 * 3.1 MiB/s ETA 4s}. The rate counts only the bytes moved since the bar started (a resumed pull's earlier bytes are not
 * a rate), and it redraws at most once per whole percent, so a big model costs at most 101 writes.
 */
public final class TransferBar {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final LongSupplier nanoTime;
    private String label;
    private long startNanos = -1;
    private long startBytes;
    private int shownPercent = -1;
    private boolean drawn;

    public TransferBar(PrintWriter err, LongSupplier nanoTime) {
        this.err = err;
        this.nanoTime = nanoTime;
    }

    /** Shows {@code done} of {@code total} bytes for {@code label}. */
    public void update(String label, long done, long total) {
        if (!label.equals(this.label)) {
            finish();
            this.label = label;
            startNanos = nanoTime.getAsLong();
            startBytes = done;
            shownPercent = -1;
        }
        int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        if (percent == shownPercent) return;
        shownPercent = percent;
        double seconds = (nanoTime.getAsLong() - startNanos) / 1e9;
        long moved = done - startBytes;
        String rate = "";
        String eta = "";
        if (seconds > 0 && moved > 0) {
            double perSecond = moved / seconds;
            rate = " " + Formats.bytes((long) perSecond) + "/s";
            eta = done >= total ? "" : " ETA " + duration((long) Math.ceil((total - done) / perSecond));
        }
        int filled = percent * WIDTH / 100;
        err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %s/%s%s%s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), percent, Formats.bytes(done), Formats.bytes(total), rate, eta));
        err.flush();
        drawn = true;
    }

    /** Ends the current line, if one was drawn. */
    public void finish() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }

    static String duration(long seconds) {
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return (seconds / 60) + "m" + (seconds % 60) + "s";
        return (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m";
    }
}
