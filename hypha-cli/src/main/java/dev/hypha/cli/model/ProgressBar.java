package dev.hypha.cli.model;

import dev.hypha.ml.store.ImportProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders an import's progress on stderr as one line redrawn in place: {@code importing x.gguf [#####.....] 50%}.
 * It redraws only when the whole percent changes, so a big file costs at most 101 writes.
 */
final class ProgressBar implements ImportProgress {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private int shownPercent = -1;

    ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    @Override
    public void update(long bytesDone, long bytesTotal) {
        int percent = bytesTotal <= 0 ? 100 : (int) Math.min(100, bytesDone * 100 / bytesTotal);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        int filled = percent * WIDTH / 100;
        err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), percent, Formats.bytes(bytesDone)));
        err.flush();
    }

    /** Ends the progress line (call once, after the last update). */
    void finish() {
        if (shownPercent >= 0) {
            err.println();
            err.flush();
        }
    }
}
