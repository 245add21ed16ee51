package dev.hypha.node.data;

import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.DataKey;
import dev.hypha.core.seal.RecipientKey;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.web3j.crypto.Credentials;

/**
 * The provider's side of compute-to-data: for a lease it holds, it takes the data key the owner released to it (the job
 * grant of the order's spec), fetches the ciphertext (every block verified), and opens the plaintext inside the job's
 * own folder only. The ciphertext and datasheet are kept in a {@code .sealed} folder within the job folder too (the
 * provider's content store never sees this data), and {@link Opened#close} deletes all of it when the job ends.
 */
public final class JobData {
    /** Plaintext opened for one job; closing deletes it and the job's copy of the ciphertext. */
    public record Opened(Path file, ContentId plaintext, long size, Path jobFolder) implements AutoCloseable {
        @Override
        public void close() {
            deleteTree(jobFolder.resolve(SEALED_FOLDER));
            deleteTree(file); // a file, or a folder (a classifier's dataset files)
        }
    }

    static final String SEALED_FOLDER = ".sealed";

    /**
     * The one refusal that can pass by itself: the owner allowed the job but has not released the key to this
     * leaseholder yet, or released it only to another provider ({@link JobDataInputs} waits for it, bounded).
     */
    public static final class KeyNotReleased extends HyphaException {
        KeyNotReleased(String message) {
            super(ErrorCategory.INPUT, message);
        }
    }

    private final HyphaContracts contracts;
    private final Credentials provider;

    public JobData(HyphaContracts contracts, Credentials provider) {
        this.contracts = Objects.requireNonNull(contracts, "contracts");
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * Opens {@code assetId} for order {@code orderId} into {@code jobFolder}/{@code fileName}.
     *
     * @throws KeyNotReleased when the owner has not released the key to this provider: not at all, or only to another
     *     provider (the grant is per spec, so an earlier order's release to another leaseholder is what is there)
     * @throws HyphaException (INPUT) when this provider does not hold the order's lease, the order's spec holds no job
     *     grant, or the data fails its checks
     */
    public Opened open(long assetId, BigInteger orderId, Optional<URI> from, Path jobFolder, String fileName) {
        return open(assetId, orderId, from, jobFolder, fileName, dev.hypha.core.seal.SealedData.MAX_LENGTH);
    }

    /** This provider's data key card, which the owner releases a job's key to (`hypha data release ... --key CARD`). */
    public DataKeyCard card() {
        return DataKeyCard.of(provider);
    }

    /** Like {@link #open(long, BigInteger, Optional, Path, String)}, refusing plaintext over {@code maxBytes}. */
    public Opened open(long assetId, BigInteger orderId, Optional<URI> from, Path jobFolder, String fileName,
                       long maxBytes) {
        Address me = Address.parse(provider.getAddress());
        ComputeOrder order = contracts.compute().order(orderId);
        if (order.state() != OrderState.LEASED || !order.provider().equals(me)) {
            throw HyphaException.input("order " + orderId + " is not leased to " + me.toChecksumString()
                    + ": only the provider holding its lease may read its data");
        }
        byte[] spec = Hex.decode(order.spec(), 32, "order spec");
        byte[] wrapped = contracts.grants().jobKeyOf(assetId, spec).orElseThrow(() -> new HyphaException(
                ErrorCategory.INPUT, "order " + orderId + "'s spec holds no job grant on asset #" + assetId
                        + ": its owner has not allowed this job"));
        if (wrapped.length == 0) {
            throw new KeyNotReleased("the owner of asset #" + assetId + " has not released its key for order "
                    + orderId + " yet (`hypha data release " + assetId + " --order " + orderId + " --key CARD`)");
        }
        DataKey key;
        try {
            key = DataReader.unwrap(assetId, wrapped, RecipientKey.ofAccount(provider.getEcKeyPair().getPrivateKey()));
        } catch (HyphaException e) {
            // A job grant is per (asset, spec), not per order: a key released for an earlier order of this spec leased
            // to another provider is wrapped to that provider's card. For us it is not released yet, and the owner's
            // release to our card overwrites it, so this waits like an empty one.
            throw new KeyNotReleased("the key released on asset #" + assetId + " for order " + orderId + "'s spec does "
                    + "not open with this provider's key (" + e.getMessage() + "; released to another provider for an "
                    + "earlier order of the same spec?): its owner releases it to this provider with `hypha data release "
                    + assetId + " --order " + orderId + " --key CARD`");
        }
        Path target = jobFolder.resolve(fileName);
        if (!target.normalize().startsWith(jobFolder.normalize()) || fileName.contains("/")) {
            throw HyphaException.input("the job's data file name " + fileName + " leaves the job folder");
        }
        // The job's own store: ciphertext and datasheet fetched here are the job's, deleted with it.
        DataReader reader = new DataReader(jobFolder.resolve(SEALED_FOLDER), contracts);
        DataReader.Opened opened;
        try {
            opened = reader.open(assetId, key, from, target, (d, t) -> {}, maxBytes);
        } catch (RuntimeException e) {
            deleteTree(jobFolder.resolve(SEALED_FOLDER));
            throw e;
        }
        return new Opened(opened.file(), opened.plaintext(), opened.size(), jobFolder);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
