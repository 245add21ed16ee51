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
 * message); any other exception is a bug. The seeds are under src/test/resources/dev/hypha/core/fuzz/ParserFuzzTestInputs.
 *
 * <p>Tagged slow: Jazzer 0.24 cannot instrument Java 25 class files (major version 69), so starting its agent costs
 * tens of seconds and buys no coverage feedback. The fast suite covers the same contracts with jqwik
 * ({@code HostileInputProperties}); run these with {@code -Dgroups=slow}, and {@code JAZZER_FUZZ=1} to fuzz.
 */
@org.junit.jupiter.api.Tag("slow")
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
