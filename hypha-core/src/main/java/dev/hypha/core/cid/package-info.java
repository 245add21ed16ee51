/**
 * Content ids exactly as IPFS computes them under the unixfs-v1-2025 profile (CIDv1, sha2-256, 1 MiB raw leaves,
 * balanced dag-pb tree of width 1024): {@link dev.hypha.core.cid.ContentIds} for ids,
 * {@link dev.hypha.core.cid.UnixFsImporter} for the blocks, {@link dev.hypha.core.cid.ChunkVerifier} to rebuild a file
 * from untrusted blocks, checking every one.
 */
package dev.hypha.core.cid;
