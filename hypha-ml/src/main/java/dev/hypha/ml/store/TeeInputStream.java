package dev.hypha.ml.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Hands every byte read to an output stream as well, and reports the running count: the import hashes the source
 * (content id) and copies it in the same pass, so a large model is read from disk once and never held in memory.
 */
final class TeeInputStream extends FilterInputStream {
    private final OutputStream copy;
    private final ImportProgress progress;
    private final long total;
    private long done;

    TeeInputStream(InputStream in, OutputStream copy, ImportProgress progress, long total) {
        super(in);
        this.copy = copy;
        this.progress = progress;
        this.total = total;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            copy.write(b);
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            copy.write(buffer, offset, n);
            advance(n);
        }
        return n;
    }

    @Override
    public long skip(long n) {
        // Skipping would leave a hole in the copy; the content-id importer never skips.
        throw new UnsupportedOperationException("skip is not supported while copying");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void advance(int n) {
        done = Math.addExact(done, n);
        progress.update(done, total);
    }

    long bytesCopied() {
        return done;
    }
}
