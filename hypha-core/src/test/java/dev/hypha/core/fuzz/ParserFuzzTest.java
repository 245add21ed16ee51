package dev.hypha.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.cid.BlockSource;
import dev.hypha.core.cid.ChunkVerifier;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.DagPb;
import dev.hypha.core.cid.MemoryBlockStore;
import dev.hypha.core.cid.UnixFsData;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer fuzz targets for every parser in hypha-core that reads outside input. The contract each one checks: any input
 * either parses into a value that re-encodes to the same bytes, or fails with a {@link HyphaException} (a clear
 * message); any other exception is a bug.
 *
 * <p>In the normal suite these run in Jazzer's regression mode over the seeds (and any saved findings) in
 * {@code src/test/resources/dev/hypha/core/fuzz/ParserFuzzTestInputs/<method>}, which takes a few seconds. To fuzz one
 * target for real (one per run, with coverage feedback; findings are written to that inputs folder):
 * <pre>JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-core -Dgroups=fuzz -Dtest='ParserFuzzTest#dagPbBlock' -Djazzer.max_duration=10m</pre>
 * The jqwik properties ({@code HostileInputProperties}) check the same contracts with random inputs.
 */
@org.junit.jupiter.api.Tag("fuzz")
class ParserFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void contentIdText(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            ContentId cid = ContentId.parse(text);
            if (!cid.toString().equals(text)) throw new AssertionError("not canonical: " + text + " -> " + cid);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void contentIdBytes(byte[] bytes) {
        try {
            ContentId cid = ContentId.fromBytes(bytes);
            if (!Arrays.equals(cid.bytes(), bytes)) throw new AssertionError("not canonical");
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void dagPbBlock(byte[] block) {
        try {
            DagPb.Node node = DagPb.decode(block);
            if (!Arrays.equals(DagPb.encode(node), block)) throw new AssertionError("decode/encode is not the identity");
            if (node.data() != null) {
                UnixFsData unixfs = UnixFsData.decode(node.data());
                if (!Arrays.equals(unixfs.encode(), node.data())) throw new AssertionError("UnixFS data not canonical");
            }
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    /**
     * A hostile DAG for {@link ChunkVerifier}. The input describes blocks by index rather than hash, so the fuzzer
     * reaches deep graphs: each block starts with a header byte; an even header is a raw leaf of {@code header / 2}
     * bytes that follow; an odd one is a parent of {@code header / 4} links, each a child index (modulo the blocks so
     * far) and a declared size byte, whose filesize is the sum of those sizes when bit 1 is set, else the next byte.
     * The last block is the root. Whatever the graph, the walk fails with a message or succeeds, and fetches each
     * distinct block at most once (they all fit the verifier's cache here).
     */
    @FuzzTest(maxDuration = "10s")
    void chunkVerifierDag(byte[] input) {
        MemoryBlockStore store = new MemoryBlockStore();
        List<ContentId> built = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(input);
        while (in.hasRemaining() && built.size() < 64) {
            int header = in.get() & 0xff;
            byte[] block;
            ContentId id;
            if ((header & 1) == 0 || built.isEmpty()) {
                block = new byte[Math.min(header >>> 1, in.remaining())];
                in.get(block);
                id = ContentId.raw(block);
            } else {
                List<DagPb.Link> links = new ArrayList<>();
                List<Long> sizes = new ArrayList<>();
                long sum = 0;
                for (int i = 0; i < header >>> 2 && in.remaining() >= 2; i++) {
                    ContentId child = built.get((in.get() & 0xff) % built.size());
                    long size = in.get() & 0xff;
                    links.add(new DagPb.Link(child, "", size));
                    sizes.add(size);
                    sum += size;
                }
                long fileSize = (header & 2) != 0 || !in.hasRemaining() ? sum : in.get() & 0xff;
                block = DagPb.encode(new DagPb.Node(links, new UnixFsData(fileSize, sizes).encode()));
                id = ContentId.of(ContentId.DAG_PB, block);
            }
            store.put(id, block);
            built.add(id);
        }
        if (built.isEmpty()) return;
        ContentId root = built.getLast();
        int[] fetches = {0};
        BlockSource counting = cid -> {
            fetches[0]++;
            return store.get(cid);
        };
        try {
            long written = new ChunkVerifier(counting).verifyAndWrite(root, OutputStream.nullOutputStream(), 4096);
            if (written > 4096) throw new AssertionError("wrote " + written + " bytes past the limit");
        } catch (HyphaException expected) {
            requireMessage(expected);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        if (fetches[0] > store.size()) {
            throw new AssertionError(fetches[0] + " fetches for " + store.size() + " distinct blocks (write)");
        }
        fetches[0] = 0;
        try {
            new ChunkVerifier(counting).verify(root);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
        if (fetches[0] > store.size()) {
            throw new AssertionError(fetches[0] + " fetches for " + store.size() + " distinct blocks (verify)");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void typedDataJson(FuzzedDataProvider data) {
        try {
            TypedData typed = TypedData.fromJson(data.consumeRemainingAsString());
            if (!TypedData.fromJson(typed.toJson()).equals(typed)) throw new AssertionError("JSON round trip changed the data");
            dev.hypha.core.crypto.Eip712.hash(typed);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void addressAndSignatureText(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            Address.parse(text);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
        try {
            Signature.fromHex(text);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    /** A fixed key: fuzzed sealed data opens (a valid seal found by the fuzzer) or is refused by name. */
    private static final dev.hypha.core.seal.DataKey FUZZ_KEY = dev.hypha.core.seal.DataKey.of(new byte[32]);

    @FuzzTest(maxDuration = "10s")
    void sealedData(byte[] sealed) {
        try {
            dev.hypha.core.seal.SealedData.open(new java.io.ByteArrayInputStream(sealed),
                    java.io.OutputStream.nullOutputStream(), FUZZ_KEY);
        } catch (HyphaException expected) {
            requireMessage(expected);
        } catch (java.io.IOException e) {
            throw new AssertionError("an in-memory stream cannot fail", e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void wrappedKey(byte[] wrapped) {
        try {
            dev.hypha.core.seal.KeyWrap.unwrap(wrapped, dev.hypha.core.seal.RecipientKey.ofAccount(java.math.BigInteger.TEN));
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    private static void requireMessage(HyphaException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("error without a message", e);
    }
}
