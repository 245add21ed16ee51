// Build step of hypha-chain (run by exec-maven-plugin in generate-sources; not part of the jar).
// Reads forge's artifacts contracts/out/<Name>.sol/<Name>.json, writes the plain .abi/.bin pair
// web3j's generator wants, generates the Java bindings with web3j codegen, and copies each ABI
// into the resources (dev/hypha/chain/abi/<Name>.json) for RevertDecoder and the event indexer.
// Why a step of our own: forge has no option to write bare .abi/.bin files, and web3j's
// generator does not read forge's JSON layout (bytecode under bytecode.object).
//
// Usage: java -cp <codegen classpath> GenerateBindings.java <forge out dir> <sources dir> <resources dir> <work dir> Name...

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.codegen.SolidityFunctionWrapperGenerator;

public class GenerateBindings {
    private static final String PACKAGE = "dev.hypha.chain.contracts";

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: GenerateBindings <forge out dir> <sources dir> <resources dir> <work dir> Name...");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path sources = Path.of(args[1]);
        Path resources = Path.of(args[2]).resolve("dev/hypha/chain/abi");
        Path work = Path.of(args[3]);
        Files.createDirectories(sources);
        Files.createDirectories(resources);
        Files.createDirectories(work);
        ObjectMapper json = new ObjectMapper();
        for (int i = 4; i < args.length; i++) {
            String name = args[i];
            Path artifact = out.resolve(name + ".sol").resolve(name + ".json");
            if (!Files.isRegularFile(artifact)) {
                throw new IllegalStateException("forge artifact " + artifact + " is missing: did `forge build` compile contracts/src/" + name + ".sol?");
            }
            JsonNode root = json.readTree(artifact.toFile());
            JsonNode abi = root.get("abi");
            String bytecode = root.path("bytecode").path("object").asText("");
            if (abi == null || !abi.isArray() || bytecode.isEmpty()) {
                throw new IllegalStateException(artifact + " has no abi array or bytecode.object");
            }
            String abiText = json.writerWithDefaultPrettyPrinter().writeValueAsString(abi);
            Path abiFile = work.resolve(name + ".abi");
            Path binFile = work.resolve(name + ".bin");
            Files.writeString(abiFile, abiText, StandardCharsets.UTF_8);
            Files.writeString(binFile, bytecode.startsWith("0x") ? bytecode.substring(2) : bytecode, StandardCharsets.UTF_8);
            Files.writeString(resources.resolve(name + ".json"), abiText, StandardCharsets.UTF_8);
            // Native Java types (BigInteger, String, byte[]) keep the bindings pleasant to call.
            new SolidityFunctionWrapperGenerator(binFile.toFile(), abiFile.toFile(), sources.toFile(), name, PACKAGE,
                    true, false, 20).generate();
        }
    }
}
