package dev.hypha.node.data;

import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.core.seal.DataKey;
import dev.hypha.core.seal.KeyWrap;
import dev.hypha.core.seal.RecipientKey;
import dev.hypha.core.seal.SealException;
import dev.hypha.core.seal.SealedData;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.trustless.GatewayFetch;
import dev.hypha.node.trustless.TrustlessGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * The reader's side of sealed data: finds the asset on chain, takes the data key from the grant (to an account, or to
 * a compute job), fetches the datasheet and the ciphertext by content id from a trustless gateway (every block verified;
 * the ciphertext's size bounded by the datasheet's plaintext size), opens it chunk by chunk, checks the plaintext's
 * content id against the datasheet, and only then renames it into place.
 */
public final class DataReader {
    /** Where a fetch reports progress: ciphertext bytes verified of the total. */
    public interface Progress extends GatewayFetch.Progress {}

    /** What a read produced. */
    public record Opened(long assetId, ContentId sealed, ContentId plaintext, long size, Path file) {}

    private final ContentStore store;
    private final HyphaContracts contracts;

    public DataReader(Path home, HyphaContracts contracts) {
        this.store = new ContentStore(Objects.requireNonNull(home, "home"));
        this.contracts = Objects.requireNonNull(contracts, "contracts");
    }

    /**
     * The data key of {@code assetId} granted to {@code account}, unwrapped with its key.
     *
     * @throws HyphaException (INPUT) naming the account when it holds no grant, or when the grant's key was wrapped to
     *     another key
     */
    public DataKey accountKey(long assetId, Address account, RecipientKey key) {
        contracts.assets().asset(assetId); // an unknown asset is the contract's UnknownAsset error, named
        byte[] wrapped = contracts.grants().keyOf(assetId, account).orElseThrow(() -> new HyphaException(
                ErrorCategory.INPUT, "account " + account.toChecksumString() + " holds no grant for asset #" + assetId
                        + " (never granted, revoked, or granted before the key was rotated): ask its owner "
                        + contracts.assets().owner(assetId).toChecksumString() + " for access"));
        return unwrap(assetId, wrapped, key);
    }

    static DataKey unwrap(long assetId, byte[] wrapped, RecipientKey key) {
        try {
            return KeyWrap.unwrap(wrapped, key);
        } catch (SealException e) {
            throw HyphaException.input("the key granted for asset #" + assetId + " does not open: " + e.getMessage());
        }
    }

    /**
     * Writes the plaintext of {@code assetId} to {@code out} (replaced only once all of it authenticated and its content
     * id matched). The ciphertext is taken from the local store when there, else fetched from {@code from}.
     */
    public Opened open(long assetId, DataKey key, Optional<URI> from, Path out, Progress progress) {
        return open(assetId, key, from, out, progress, SealedData.MAX_LENGTH);
    }

    /** Like {@link #open(long, DataKey, Optional, Path, Progress)}, refusing plaintext over {@code maxSize} bytes. */
    public Opened open(long assetId, DataKey key, Optional<URI> from, Path out, Progress progress, long maxSize) {
        AssetRecord asset = contracts.assets().asset(assetId);
        ContentId sealed = cid(assetId, "content id", asset.contentId());
        ContentId sheetId = cid(assetId, "metadata content id", asset.metadataId());
        Datasheet sheet = Datasheet.decode(sheetId.toString(), small(sheetId, Datasheet.MAX_BYTES, from));
        if (sheet.size() > maxSize) {
            throw HyphaException.input("asset #" + assetId + " holds " + sheet.size() + " bytes, more than the "
                    + maxSize + " accepted");
        }
        Path target = out.toAbsolutePath();
        if (sheet.kind() == Datasheet.Kind.DIRECTORY) {
            return openFolder(assetId, sealed, sheet, key, from, target, progress);
        }
        long maxSealed = SealedData.sealedLength(sheet.size(), SealedData.MIN_CHUNK);
        Path blob = path(fetched(sealed, maxSealed, from, progress));
        try {
            Files.createDirectories(target.getParent());
            openInto(blob, key, target, got -> {
                if (!got.equals(sheet.plaintext())) {
                    throw HyphaException.input("asset #" + assetId + " decrypted to " + got + ", not to the plaintext "
                            + sheet.plaintext() + " its datasheet names: refusing it");
                }
            });
        } catch (SealException e) {
            throw HyphaException.input("asset #" + assetId + "'s ciphertext " + sealed + " does not open: " + e.getMessage());
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + target + ": " + e.getMessage(), e);
        }
        return new Opened(assetId, sealed, sheet.plaintext(), sheet.size(), target);
    }

    /** Checks what a sealed blob opened to, before it is renamed into place. */
    @FunctionalInterface
    private interface Check {
        void plaintext(ContentId got);
    }

    /** Opens {@code blob} into a temporary file beside {@code target}, checks it, and renames it into place. */
    private static void openInto(Path blob, DataKey key, Path target, Check check) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
        try {
            DurableFiles.replace(tmp, (OutputStream plain) -> {
                try (InputStream in = Files.newInputStream(blob)) {
                    SealedData.open(in, plain, key);
                }
            });
            check.plaintext(ContentIds.of(tmp));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A sealed folder: opens the manifest with the dataset key, then every file with its own key into a temporary
     * folder beside {@code target} (each file checked against the manifest), checks the whole tree's UnixFS directory
     * id against the datasheet, and only then renames the folder into place. {@code target} must not exist yet.
     */
    private Opened openFolder(long assetId, ContentId sealed, Datasheet sheet, DataKey key, Optional<URI> from,
                              Path target, Progress progress) {
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw HyphaException.input(target + " exists: asset #" + assetId + " is a folder, give a path that does not "
                    + "exist yet");
        }
        Path parent = target.getParent();
        Path work = null;
        try {
            Files.createDirectories(parent);
            work = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            Path manifestBlob = path(fetched(sealed, SealedData.sealedLength(DirectoryManifest.MAX_BYTES,
                    SealedData.MIN_CHUNK), from, null));
            Path manifestFile = work.resolve(".manifest");
            openInto(manifestBlob, key, manifestFile, got -> {});
            if (Files.size(manifestFile) > DirectoryManifest.MAX_BYTES) {
                throw HyphaException.input("asset #" + assetId + "'s folder manifest is larger than "
                        + DirectoryManifest.MAX_BYTES + " bytes");
            }
            DirectoryManifest manifest = DirectoryManifest.decode(sealed.toString(), Files.readAllBytes(manifestFile));
            Files.delete(manifestFile);
            if (manifest.size() != sheet.size()) {
                throw HyphaException.input("asset #" + assetId + "'s manifest holds " + manifest.size()
                        + " bytes but its datasheet says " + sheet.size() + ": refusing it");
            }
            Path tree = work.resolve("tree");
            Files.createDirectory(tree);
            for (String d : manifest.dirs()) {
                Files.createDirectory(tree.resolve(d));
            }
            long done = 0;
            for (DirectoryManifest.Entry e : manifest.files()) {
                long before = done;
                GatewayFetch.Progress each = progress == null ? GatewayFetch.Progress.NONE
                        : (d, t) -> progress.update(before + d, sheet.size());
                Path blob = path(fetched(e.sealed(), SealedData.sealedLength(e.size(), SealedData.MIN_CHUNK), from,
                        each));
                openInto(blob, e.key(), tree.resolve(e.path()), got -> {
                    if (!got.equals(e.plaintext())) {
                        throw HyphaException.input("asset #" + assetId + ": " + e.path() + " decrypted to " + got
                                + ", not to the " + e.plaintext() + " its manifest names: refusing it");
                    }
                });
                done += e.size();
            }
            ContentId got = DataTree.scan(tree).root().cid();
            if (!got.equals(sheet.plaintext())) {
                throw HyphaException.input("asset #" + assetId + " opened to the folder " + got + ", not to the "
                        + sheet.plaintext() + " its datasheet names: refusing it");
            }
            Files.move(tree, target, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(parent);
        } catch (SealException e) {
            throw HyphaException.input("asset #" + assetId + "'s sealed folder does not open: " + e.getMessage());
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
        return new Opened(assetId, sealed, sheet.plaintext(), sheet.size(), target);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: what is left is the reader's own partly opened data, in a hidden .<name>.* folder beside it
        }
    }

    /** The stored blob {@code id}, fetched (verified) from {@code from} first when it is not in the store. */
    private ContentId fetched(ContentId id, long maxBytes, Optional<URI> from, GatewayFetch.Progress progress) {
        if (!store.contains(id)) {
            URI base = from.orElseThrow(() -> HyphaException.input(id + " is not stored here: give --from URL, the "
                    + "owner's node or any trustless gateway that has it"));
            try (TrustlessGateway gateway = new TrustlessGateway(base)) {
                new GatewayFetch(gateway, maxBytes).fetch(id, GatewayFetch.Mode.RAW, store.blobPath(id),
                        progress == null ? GatewayFetch.Progress.NONE : progress);
            }
        }
        return id;
    }

    private byte[] small(ContentId id, int maxBytes, Optional<URI> from) {
        fetched(id, maxBytes, from, null);
        try {
            if (Files.size(store.blobPath(id)) > maxBytes) {
                throw HyphaException.input(id + " is larger than " + maxBytes + " bytes");
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + store.blobPath(id) + ": " + e.getMessage(), e);
        }
        return store.get(id);
    }

    private Path path(ContentId id) {
        return store.blobPath(id);
    }

    private static ContentId cid(long assetId, String what, byte[] bytes) {
        try {
            return ContentId.fromBytes(bytes);
        } catch (RuntimeException e) {
            throw HyphaException.input("asset #" + assetId + "'s " + what + " is not a content id: it is not sealed data");
        }
    }
}
