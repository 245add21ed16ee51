package dev.hypha.chain.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The on-chain verifier and the proven feed on a real anvil chain, fed a proof file the Java prover made
 * (contracts/test/zk/fixtures, written by hypha-zk's SolidityFixturesTest): the verifier answers the proof's class
 * and input hash, a transaction posts it to a feed, and a proof with one changed byte is refused by both.
 */
class ZkContractsOnAnvilTest {
    private static final Path CONTRACTS = Path.of("..", "contracts");
    private static Devnet devnet;
    private static ChainClient client;
    private static TransactionSender sender;
    private static String verifier;
    private static String feed;
    private static byte[] proof;

    @BeforeAll
    static void deploy() throws Exception {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        sender = new TransactionSender(client, devnet.account(0), new NonceManager(client),
                RevertDecoder.forHyphaContracts());
        verifier = create("MlpProofVerifier", "");
        feed = create("ProvenPredictionFeed", FunctionEncoder.encodeConstructor(List.of(new Address(verifier))));
        proof = Files.readAllBytes(CONTRACTS.resolve("test/zk/fixtures/small-relu.proof"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (devnet != null) {
            devnet.close();
        }
    }

    @Test
    void theVerifierReturnsTheProvenClassAndInputHash() throws Exception {
        byte[] out = HexFormat.of().parseHex(call(verifier, verifyCall(proof)).substring(2));
        // (Result): offset, then modelId offset, modelRoot, inputHash, logits offset, predictedClass
        assertThat(word(out, 2)).isEqualTo(modelRoot(proof));
        assertThat(word(out, 3)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(pixels(proof)));
        assertThat(new BigInteger(1, word(out, 5)).intValueExact()).isEqualTo(argmax(logits(proof)));
    }

    @Test
    void aChangedByteIsRefusedByTheVerifier() {
        byte[] forged = proof.clone();
        forged[forged.length / 2] ^= 0x01;
        assertThatThrownBy(() -> call(verifier, verifyCall(forged))).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aTransactionPostsTheProofToAFeedAndAForgedOneIsRefused() throws Exception {
        byte[] feedId = MessageDigest.getInstance("SHA-256").digest("anvil feed".getBytes());
        send(feed, "createFeed", new Function("createFeed", List.of(new Bytes32(feedId),
                new Utf8String("fixture-small-relu"), new Bytes32(modelRoot(proof))), List.of()));
        byte[] forged = proof.clone();
        forged[forged.length - 7] ^= 0x10;
        assertThatThrownBy(() -> send(feed, "post", new Function("post", List.of(new Bytes32(feedId),
                new DynamicBytes(forged)), List.of()))).isInstanceOf(RuntimeException.class);
        TransactionReceipt receipt = send(feed, "post", new Function("post", List.of(new Bytes32(feedId),
                new DynamicBytes(proof)), List.of()));
        assertThat(receipt.isStatusOK()).isTrue();
        System.out.println("post gas (small-relu proof, " + proof.length + " bytes): " + receipt.getGasUsed());
        // latest(feedId) -> (class, inputHash, poster, blockNumber)
        byte[] latest = HexFormat.of().parseHex(call(feed, FunctionEncoder.encode(new Function("latest",
                List.of(new Bytes32(feedId)), List.of()))).substring(2));
        assertThat(new BigInteger(1, word(latest, 0)).intValueExact()).isEqualTo(argmax(logits(proof)));
        assertThat(word(latest, 1)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(pixels(proof)));
    }

    /**
     * The Fashion-MNIST-shaped proof (784 → 256 → 10) as a real transaction on anvil, whose blocks hold 30M gas: the
     * receipt's gas is the whole cost (21,000 + calldata + execution), the figure docs/ZK.md and bench/README.md give.
     */
    @Test
    void theFashionMnistShapedProofPostsWithinOneBlock() throws Exception {
        byte[] big = Files.readAllBytes(CONTRACTS.resolve("test/zk/fixtures/fashion-mnist-shape.proof"));
        byte[] feedId = MessageDigest.getInstance("SHA-256").digest("fashion feed".getBytes());
        send(feed, "createFeed", new Function("createFeed", List.of(new Bytes32(feedId),
                new Utf8String("fixture-fashion-mnist-shape"), new Bytes32(modelRoot(big))), List.of()));
        TransactionReceipt receipt = send(feed, "post", new Function("post", List.of(new Bytes32(feedId),
                new DynamicBytes(big)), List.of()));
        assertThat(receipt.isStatusOK()).isTrue();
        System.out.println("post gas (fashion-mnist-shape proof, " + big.length + " bytes): " + receipt.getGasUsed());
        assertThat(receipt.getGasUsed()).isLessThan(BigInteger.valueOf(30_000_000L));
    }

    private static String create(String name, String constructorArgs) throws Exception {
        Path artifact = CONTRACTS.resolve("out").resolve(name + ".sol").resolve(name + ".json");
        String code = new ObjectMapper().readTree(artifact.toFile()).path("bytecode").path("object").asText();
        TransactionReceipt r = sender.send(TxRequest.deploy(name, code + constructorArgs));
        return r.getContractAddress();
    }

    private static TransactionReceipt send(String to, String name, Function f) {
        return sender.send(TxRequest.call("zk", name, to, FunctionEncoder.encode(f)));
    }

    private static String verifyCall(byte[] file) {
        return FunctionEncoder.encode(new Function("verify", List.of(new DynamicBytes(file)), List.of()));
    }

    private static String call(String to, String data) {
        return client.call(Transaction.createEthCallTransaction(sender.address(), to, data));
    }

    private static byte[] word(byte[] out, int i) {
        return Arrays.copyOfRange(out, 32 * i, 32 * i + 32);
    }

    // The proof file's header (MlpProofFile): magic 8, version 2 bytes, kind 1, id length 2, id, root 32, layer count 1,
    // 12 bytes per layer, input length 4, the pixels, 8 bytes per logit.
    private static int idLength(byte[] f) {
        return ((f[11] & 0xff) << 8) | (f[12] & 0xff);
    }

    private static byte[] modelRoot(byte[] f) {
        int at = 13 + idLength(f);
        return Arrays.copyOfRange(f, at, at + 32);
    }

    private static int pixelsAt(byte[] f) {
        int layersAt = 13 + idLength(f) + 32;
        return layersAt + 1 + 12 * (f[layersAt] & 0xff) + 4;
    }

    private static int layerOut(byte[] f, int layer) {
        int at = 13 + idLength(f) + 32 + 1 + 12 * layer + 4;
        return java.nio.ByteBuffer.wrap(f, at, 4).getInt();
    }

    private static byte[] pixels(byte[] f) {
        int at = pixelsAt(f);
        int n = java.nio.ByteBuffer.wrap(f, at - 4, 4).getInt();
        return Arrays.copyOfRange(f, at, at + n);
    }

    private static long[] logits(byte[] f) {
        int layers = f[13 + idLength(f) + 32] & 0xff;
        int classes = layerOut(f, layers - 1);
        int at = pixelsAt(f) + pixels(f).length;
        long[] out = new long[classes];
        for (int c = 0; c < classes; c++) {
            out[c] = java.nio.ByteBuffer.wrap(f, at + 8 * c, 8).getLong();
        }
        return out;
    }

    private static int argmax(long[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
