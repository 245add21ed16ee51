package dev.hypha.cli;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.train.run.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The training progress line on stderr: {@code step 1200/9000 [####....] loss 0.4123  8410 samples/s  ETA 0:55},
 * redrawn at most every {@code intervalNanos}; the loss shown is the mean since the last redraw. Checkpoints and a
 * resume get their own line. The clock is injected so tests control it.
 */
final class TrainProgress implements TrainingListener {
    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private long startNanos = -1;
    private long startStep;
    private long lastDraw;
    private double lossSum;
    private int lossCount;
    private boolean drawn;

    TrainProgress(PrintWriter err, LongSupplier nanoTime, long intervalNanos) {
        this.err = err;
        this.nanoTime = nanoTime;
        this.intervalNanos = intervalNanos;
    }

    @Override
    public void stepDone(long step, long total, int batch, float loss) {
        long now = nanoTime.getAsLong();
        if (startNanos < 0) {
            startNanos = now;
            startStep = step;
            lastDraw = now - intervalNanos;
        }
        lossSum += loss;
        lossCount++;
        boolean last = step + 1 == total;
        if (now - lastDraw < intervalNanos && !last) {
            return;
        }
        lastDraw = now;
        // The clock starts when the first step seen ends, so the rate counts the steps after it: none yet at the
        // first draw, which shows no rate rather than one divided by no time at all.
        long done = step - startStep;
        double seconds = (now - startNanos) / 1e9;
        String speed = "-";
        String eta = "-:--";
        if (done > 0 && seconds > 0) {
            double stepsPerSecond = done / seconds;
            long etaSeconds = (long) ((total - step - 1) / stepsPerSecond);
            speed = String.format(Locale.ROOT, "%.0f", stepsPerSecond * batch);
            eta = String.format(Locale.ROOT, "%d:%02d", etaSeconds / 60, etaSeconds % 60);
        }
        int filled = (int) ((step + 1) * WIDTH / total);
        err.print(String.format(Locale.ROOT, "\rstep %d/%d [%s%s] loss %.4f  %s samples/s  ETA %s ", step + 1, total,
                "#".repeat(filled), ".".repeat(WIDTH - filled), lossSum / lossCount, speed, eta));
        err.flush();
        drawn = true;
        lossSum = 0;
        lossCount = 0;
    }

    @Override
    public void checkpointed(long stepsDone, ContentId id) {
        lineBreak();
        err.println("checkpoint after step " + stepsDone + ": " + id);
        err.flush();
    }

    @Override
    public void resumed(long stepsDone, ContentId id) {
        lineBreak();
        err.println("resuming after step " + stepsDone + " from checkpoint " + id);
        err.flush();
    }

    /** Ends the progress line (after the last step). */
    void finish() {
        lineBreak();
        err.flush();
    }

    private void lineBreak() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
