package dev.hypha.node.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.Terms;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The owner's own record of one piece of data it sealed, kept under {@code <home>/data/owned/<sealed cid>.json} and
 * written (temp file, force, rename) before anything is sent to the chain: the data key (wrapped to the owner's own
 * X25519 key, never in the clear), what to register, and how far registration got. A {@code hypha data add} killed at
 * any point is finished by the next one from here, so a key is never lost and an asset is never left without the
 * owner's own grant.
 *
 * @param state          how far it got
 * @param firstCandidate the registry's next asset id before the registration was sent: after a crash, the asset (if
 *                       it was registered) is looked for from here on only
 * @param assetId        0 until known
 */
public record OwnedData(State state, String account, String sealed, String datasheet, String plaintext, long size,
                        String kind, String name, String wrappedKey, String spdx, String terms, String token,
                        String price, List<String> parents, long firstCandidate, long assetId) {
    /** How far an add got. */
    public enum State { SEALED, REGISTERED, GRANTED }

    private static final ObjectMapper JSON = new ObjectMapper();

    public OwnedData {
        parents = List.copyOf(parents);
    }

    public ContentId sealedId() {
        return ContentId.parse(sealed);
    }

    public ContentId datasheetId() {
        return ContentId.parse(datasheet);
    }

    public byte[] wrappedKeyBytes() {
        return Hex.decode(wrappedKey);
    }

    public Licence licence() {
        Terms t = Terms.valueOf(terms);
        return t.paid() ? new Licence(spdx, t, Address.parse(token), new BigInteger(price)) : Licence.unpriced(spdx, t);
    }

    public List<LineageEdge> lineage() {
        return parents.stream().map(LineageEdge::parse).toList();
    }

    OwnedData with(State s, long firstCandidate, long assetId) {
        return new OwnedData(s, account, sealed, datasheet, plaintext, size, kind, name, wrappedKey, spdx, terms, token,
                price, parents, firstCandidate, assetId);
    }

    static List<String> edges(List<LineageEdge> edges) {
        List<String> out = new ArrayList<>();
        for (LineageEdge e : edges) out.add(e.parentId() + ":" + e.shareBps());
        return out;
    }

    /** The folder of these records under {@code home}. */
    static Path folder(Path home) {
        return home.resolve("data").resolve("owned");
    }

    /** Writes this record durably (replacing the previous state). */
    void save(Path home) {
        Path file = folder(home).resolve(sealed + ".json");
        try {
            Files.createDirectories(file.getParent());
            DurableFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every record under {@code home}, sorted by sealed content id. */
    public static List<OwnedData> all(Path home) {
        Path dir = folder(home);
        if (!Files.isDirectory(dir)) return List.of();
        List<OwnedData> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith(".") || !n.endsWith(".json")) continue; // a torn write's temp file
                if (Files.size(f) > 64 * 1024) throw HyphaException.input(f + " is too large to be a data record");
                try {
                    out.add(JSON.readValue(f.toFile(), OwnedData.class));
                } catch (IOException e) {
                    throw HyphaException.input("the data record " + f + " is unreadable (" + e.getClass().getSimpleName()
                            + "): restore it from a backup or remove it");
                }
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
