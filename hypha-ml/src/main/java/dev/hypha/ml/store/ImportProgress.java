package dev.hypha.ml.store;

/** Told how far an import has got; called from the importing thread after every chunk (1 MiB). */
@FunctionalInterface
public interface ImportProgress {
    /** Progress that is not shown. */
    ImportProgress NONE = (done, total) -> { };

    /**
     * @param bytesDone  bytes copied so far
     * @param bytesTotal the source file's size when the import began
     */
    void update(long bytesDone, long bytesTotal);
}
