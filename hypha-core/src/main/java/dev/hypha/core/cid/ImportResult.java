package dev.hypha.core.cid;

/**
 * What an import produced.
 *
 * @param root       the file's content id
 * @param fileSize   bytes read from the input
 * @param blockCount blocks handed to the sink (leaves plus parents; duplicates counted each time)
 */
public record ImportResult(ContentId root, long fileSize, long blockCount) {}
