package dev.hypha.node.data;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.core.seal.DataKey;
import dev.hypha.core.seal.KeyWrap;
import dev.hypha.core.seal.RecipientKey;
import dev.hypha.core.seal.SealException;
import dev.hypha.core.seal.SealedData;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.ServedFiles;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Credentials;

/**
 * The owner's side of sealed data: {@link #add} seals a file under a fresh data key, stores ciphertext and datasheet
 * in the content store (served to anyone: they are ciphertext and public facts), registers the asset and grants the
 * owner itself the key; {@link #grant} wraps the key to another account's signed data key; {@link #revoke} ends a
 * grant. Every step is recorded in {@link OwnedData} before the next is sent, and {@link #finishPending} completes
 * what a killed run left.
 */
public final class DataOwner {
    /** Reports sealing progress: plaintext bytes read of the total. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {};

        void update(long done, long total);
    }

    /** What an add registered. */
    public record Added(long assetId, ContentId sealed, ContentId plaintext, ContentId datasheet, long size,
                        boolean resumed) {}

    /** The points of an add where everything before is durable (on disk or mined). */
    public enum Step { RECORDED, REGISTERED, REGISTRATION_RECORDED, GRANTED }

    /** Told after each step of an add (the crash tests kill the process there). */
    @FunctionalInterface
    public interface StepListener {
        StepListener NONE = step -> {};

        void reached(Step step);
    }

    /** Furthest back a resumed add looks for an asset it may have registered before it was killed. */
    static final long MAX_SCAN = 10_000;

    private final Path home;
    private final ContentStore store;
    private final HyphaContracts contracts;
    private final Credentials account;
    private final Address me;
    private final StepListener steps;

    public DataOwner(Path home, HyphaContracts contracts, Credentials account) {
        this(home, contracts, account, StepListener.NONE);
    }

    public DataOwner(Path home, HyphaContracts contracts, Credentials account, StepListener steps) {
        this.steps = Objects.requireNonNull(steps, "steps");
        this.home = Objects.requireNonNull(home, "home");
        this.store = new ContentStore(home);
        this.contracts = Objects.requireNonNull(contracts, "contracts");
        this.account = Objects.requireNonNull(account, "account");
        this.me = Address.parse(account.getAddress());
    }

    /**
     * Seals {@code file} and registers it as a dataset of this account with {@code licence} and {@code parents}.
     *
     * @throws HyphaException (INPUT) for an unreadable file, a bad licence or lineage (checked before gas)
     */
    public Added add(Path file, Licence licence, List<LineageEdge> parents, Progress progress) {
        if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return addFolder(file, licence, parents, progress);
        }
        if (!Files.isRegularFile(file)) {
            throw HyphaException.input(file + " is not a readable file or folder");
        }
        DataKey key = DataKey.random();
        long size;
        ContentId plaintext;
        ContentId sealed;
        try {
            size = Files.size(file);
            plaintext = ContentIds.of(file);
            sealed = sealInto(() -> Files.newInputStream(file), size, key, progress);
        } catch (IOException e) {
            throw HyphaException.io("cannot seal " + file + ": " + e.getMessage(), e);
        }
        Datasheet sheet = new Datasheet(Datasheet.Kind.FILE, Datasheet.safeName(file.getFileName().toString()), plaintext,
                size);
        return recordAndFinish(sheet, sealed, key, "file", licence, parents);
    }

    /** Stores the datasheet, writes the record (before any transaction), then registers and grants. */
    private Added recordAndFinish(Datasheet sheet, ContentId sealed, DataKey key, String kind, Licence licence,
                                  List<LineageEdge> parents) {
        RecipientKey mine = RecipientKey.ofAccount(account.getEcKeyPair().getPrivateKey());
        ContentId datasheet = store.put(sheet.encode());
        // Written before any transaction: from here on a kill loses nothing (the key is in the record, wrapped to us).
        OwnedData record = new OwnedData(OwnedData.State.SEALED, me.lowercaseHex(), sealed.toString(), datasheet.toString(),
                sheet.plaintext().toString(), sheet.size(), kind, sheet.name(), Hex.encode(KeyWrap.wrap(key, mine.publicKey())),
                licence.spdx(), licence.terms().name(), licence.token() == null ? null : licence.token().lowercaseHex(),
                licence.terms().paid() ? licence.price().toString() : null, OwnedData.edges(parents), 0, 0);
        store.setRef(ServedFiles.SEALED_REFS, sealed.toString(), sealed);
        store.setRef(ServedFiles.SEALED_REFS, datasheet.toString(), datasheet);
        record.save(home);
        steps.reached(Step.RECORDED);
        return finish(record, false);
    }

    /**
     * Seals a folder as one dataset: each file under its own fresh key (stored and served like a sealed file), then a
     * {@link DirectoryManifest} naming every file with its key, sealed under the dataset key (the asset's content id is
     * the sealed manifest's). The datasheet commits to the folder's UnixFS directory id, which a reader checks the
     * restored tree against. From the record on, it is finished exactly like a file.
     */
    private Added addFolder(Path folder, Licence licence, List<LineageEdge> parents, Progress progress) {
        DataTree tree = DataTree.scan(folder);
        long total = tree.size();
        long[] done = {0};
        List<DirectoryManifest.Entry> entries = new ArrayList<>();
        List<DataTree.File> files = new ArrayList<>(tree.files());
        files.sort(java.util.Comparator.comparing(DataTree.File::path));
        for (DataTree.File f : files) {
            Path source = folder.resolve(f.path());
            DataKey fileKey = DataKey.random();
            long before = done[0];
            ContentId sealedFile;
            try {
                sealedFile = sealInto(() -> Files.newInputStream(source), f.size(), fileKey,
                        (d, t) -> progress.update(before + d, total));
                if (!ContentIds.of(source).equals(f.plaintext())) {
                    throw HyphaException.input(source + " changed while it was being sealed: add the folder again "
                            + "once nothing writes to it");
                }
            } catch (IOException e) {
                throw HyphaException.io("cannot seal " + source + ": " + e.getMessage(), e);
            }
            done[0] += f.size();
            store.setRef(ServedFiles.SEALED_REFS, sealedFile.toString(), sealedFile);
            entries.add(new DirectoryManifest.Entry(f.path(), f.size(), f.plaintext(), sealedFile, fileKey));
        }
        List<String> dirs = new ArrayList<>(tree.dirs());
        dirs.sort(null);
        byte[] manifest = new DirectoryManifest(dirs, entries).encode();
        if (manifest.length > DirectoryManifest.MAX_BYTES) {
            throw HyphaException.input(folder + "'s manifest would be " + manifest.length + " bytes, more than "
                    + DirectoryManifest.MAX_BYTES + ": add it in parts");
        }
        DataKey key = DataKey.random();
        ContentId sealed;
        try {
            sealed = sealInto(() -> new java.io.ByteArrayInputStream(manifest), manifest.length, key, Progress.NONE);
        } catch (IOException e) {
            throw HyphaException.io("cannot seal the manifest of " + folder + ": " + e.getMessage(), e);
        }
        Path name = folder.toAbsolutePath().normalize().getFileName();
        Datasheet sheet = new Datasheet(Datasheet.Kind.DIRECTORY, Datasheet.safeName(name == null ? "data"
                : name.toString()), tree.root().cid(), total);
        return recordAndFinish(sheet, sealed, key, "directory", licence, parents);
    }

    /** Completes every add a killed run left unfinished (registers it or finds it registered, then grants). */
    public List<Added> finishPending() {
        List<Added> done = new ArrayList<>();
        for (OwnedData r : OwnedData.all(home)) {
            if (r.state() != OwnedData.State.GRANTED && Address.parse(r.account()).equals(me)) {
                done.add(finish(r, true));
            }
        }
        return done;
    }

    /** Records of data this account sealed on this machine (any state). */
    public List<OwnedData> records() {
        return OwnedData.all(home).stream().filter(r -> Address.parse(r.account()).equals(me)).toList();
    }

    private Added finish(OwnedData record, boolean resumed) {
        OwnedData r = record;
        if (r.state() == OwnedData.State.SEALED) {
            long id = r.firstCandidate() == 0 ? 0 : findRegistered(r);
            if (id == 0) {
                if (r.firstCandidate() == 0) {
                    r = r.with(OwnedData.State.SEALED, contracts.assets().nextAssetId(), 0);
                    r.save(home);
                }
                id = contracts.assets().register(AssetKind.DATASET, r.sealedId().bytes(), r.datasheetId().bytes(),
                        r.licence(), r.lineage());
                steps.reached(Step.REGISTERED);
            }
            r = r.with(OwnedData.State.REGISTERED, r.firstCandidate(), id);
            r.save(home);
            steps.reached(Step.REGISTRATION_RECORDED);
        }
        if (r.state() == OwnedData.State.REGISTERED) {
            if (!contracts.grants().hasAccess(r.assetId(), me)) {
                contracts.grants().grant(r.assetId(), me, r.wrappedKeyBytes());
            }
            r = r.with(OwnedData.State.GRANTED, r.firstCandidate(), r.assetId());
            r.save(home);
            steps.reached(Step.GRANTED);
        }
        return new Added(r.assetId(), r.sealedId(), ContentId.parse(r.plaintext()), r.datasheetId(), r.size(), resumed);
    }

    /** The asset registered for {@code r} by this account since its first candidate id, or 0. */
    private long findRegistered(OwnedData r) {
        long next = contracts.assets().nextAssetId();
        if (next - r.firstCandidate() > MAX_SCAN) {
            throw new HyphaException(ErrorCategory.CHAIN, "cannot tell whether sealed data " + r.sealed() + " was "
                    + "registered: more than " + MAX_SCAN + " assets were registered since (look for it with `hypha "
                    + "lineage` and remove " + OwnedData.folder(home) + "/" + r.sealed() + ".json if so)");
        }
        byte[] cid = r.sealedId().bytes();
        for (long id = r.firstCandidate(); id < next; id++) {
            AssetRecord a = contracts.assets().asset(id);
            if (a.owner().equals(me) && Arrays.equals(a.contentId(), cid)) {
                return id;
            }
        }
        return 0;
    }

    /**
     * Grants {@code card}'s account access to {@code assetId}: the data key (unwrapped from this account's own grant)
     * wrapped to the card's key.
     */
    public void grant(long assetId, DataKeyCard card) {
        contracts.grants().grant(assetId, card.account(), KeyWrap.wrap(dataKey(assetId), card.publicKey()));
    }

    /** Ends {@code grantee}'s grant on {@code assetId}. */
    public void revoke(long assetId, Address grantee) {
        if (!contracts.grants().hasAccess(assetId, grantee)) {
            throw HyphaException.input(grantee.toChecksumString() + " holds no grant on asset #" + assetId + " to revoke");
        }
        contracts.grants().revoke(assetId, grantee);
    }

    /** This account's data key of {@code assetId}, from its own grant on chain (or its local record). */
    public DataKey dataKey(long assetId) {
        Address owner = contracts.assets().owner(assetId);
        if (!owner.equals(me)) {
            throw HyphaException.input("asset #" + assetId + " is owned by " + owner.toChecksumString() + ", not by "
                    + me.toChecksumString() + ": only its owner grants access");
        }
        RecipientKey mine = RecipientKey.ofAccount(account.getEcKeyPair().getPrivateKey());
        byte[] wrapped = contracts.grants().keyOf(assetId, me).orElseGet(() -> records().stream()
                .filter(r -> r.assetId() == assetId).findFirst().map(OwnedData::wrappedKeyBytes)
                .orElseThrow(() -> HyphaException.input("asset #" + assetId + " has no data key for its owner: it was "
                        + "not added with `hypha data add`, or its owner's own grant was revoked")));
        try {
            return KeyWrap.unwrap(wrapped, mine);
        } catch (SealException e) {
            throw HyphaException.input("asset #" + assetId + ": " + e.getMessage());
        }
    }

    /** Opens the plaintext to seal. */
    @FunctionalInterface
    private interface Source {
        InputStream open() throws IOException;
    }

    /** Seals into a temporary file beside the store's blobs, then renames it to its content id. */
    private ContentId sealInto(Source source, long size, DataKey key, Progress progress) throws IOException {
        Path probe = store.blobPath(ContentIds.of(new byte[0]));
        Path dir = probe.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".seal.", ".part");
        try {
            DurableFiles.replace(tmp, out -> {
                try (InputStream in = counting(source.open(), size, progress)) {
                    SealedData.seal(in, size, out, key, SealedData.DEFAULT_CHUNK);
                }
            });
            ContentId id = ContentIds.of(tmp);
            Files.move(tmp, store.blobPath(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(dir);
            return id;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static InputStream counting(InputStream in, long total, Progress progress) {
        return new FilterInputStream(in) {
            private long done;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    done += n;
                    progress.update(done, total);
                }
                return n;
            }
        };
    }
}
