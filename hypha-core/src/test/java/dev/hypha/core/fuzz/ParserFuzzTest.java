package dev.hypha.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.DagPb;
import dev.hypha.core.cid.UnixFsData;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.util.Arrays;

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

    private static void requireMessage(HyphaException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("error without a message", e);
    }
}
