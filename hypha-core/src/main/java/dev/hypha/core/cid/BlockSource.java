package dev.hypha.core.cid;

import java.util.Optional;

/** Where a verifier gets blocks from (a local store, a peer). What it returns is not trusted: it is hashed and checked. */
@FunctionalInterface
public interface BlockSource {
    /** The block named {@code cid}, or empty when this source does not have it. */
    Optional<byte[]> get(ContentId cid);
}
