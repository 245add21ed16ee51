package dev.hypha.core.car;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.Varint;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/** Writes a CARv1 stream: the header at construction, then one section per {@link #write} call. Nothing is buffered. */
public final class CarWriter {
    private final OutputStream out;
    private long bytesWritten;

    /** Writes the header naming {@code roots} (binary CIDs) to {@code out}. */
    public CarWriter(OutputStream out, List<byte[]> roots) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        byte[] header = CarHeader.encode(roots);
        emit(Varint.encode(header.length));
        emit(header);
    }

    /** Writes one block's section: {@code varint(length of cid and block) cid block}. */
    public void write(ContentId cid, byte[] block) throws IOException {
        byte[] id = cid.bytes();
        emit(Varint.encode((long) id.length + block.length));
        emit(id);
        emit(block);
    }

    /** Bytes written so far, header included. */
    public long bytesWritten() {
        return bytesWritten;
    }

    private void emit(byte[] bytes) throws IOException {
        out.write(bytes);
        bytesWritten += bytes.length;
    }
}
