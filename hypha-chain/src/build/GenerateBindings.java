// Build step of hypha-chain (run by exec-maven-plugin in generate-sources; not part of the jar).
// Reads forge's artifacts contracts/out/<Name>.sol/<Name>.json, writes the plain .abi/.bin pair
// web3j's generator wants, generates the Java bindings with web3j codegen, and copies each ABI
// into the resources (dev/hypha/chain/abi/<Name>.json) for RevertDecoder and the event indexer.
// Why a step of our own: forge has no option to write bare .abi/.bin files, and web3j's
// generator does not read forge's JSON layout (bytecode under bytecode.object).
//
// Usage: java -cp <codegen classpath> GenerateBindings.java <this file> <forge out dir> <sources dir> <resources dir> <work dir> Name...

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.codegen.SolidityFunctionWrapperGenerator;

public class GenerateBindings {
    private static final String PACKAGE = "dev.hypha.chain.contracts";

    /** Skips the work when every output is newer than every input (forge leaves unchanged artifacts alone). */
    private static boolean upToDate(Path self, Path out, Path sources, Path resources, String[] names) throws java.io.IOException {
        long newestInput = Files.getLastModifiedTime(self).toMillis();
        long oldestOutput = Long.MAX_VALUE;
        for (String name : names) {
            Path artifact = out.resolve(name + ".sol").resolve(name + ".json");
            Path binding = sources.resolve(PACKAGE.replace('.', '/')).resolve(name + ".java");
            Path abi = resources.resolve(name + ".json");
            if (!Files.exists(artifact) || !Files.exists(binding) || !Files.exists(abi)) {
                return false;
            }
            newestInput = Math.max(newestInput, Files.getLastModifiedTime(artifact).toMillis());
            oldestOutput = Math.min(oldestOutput, Math.min(Files.getLastModifiedTime(binding).toMillis(),
                    Files.getLastModifiedTime(abi).toMillis()));
        }
        return oldestOutput > newestInput;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: GenerateBindings <this file> <forge out dir> <sources dir> <resources dir> <work dir> Name...");
            System.exit(2);
        }
        Path self = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path sources = Path.of(args[2]);
        Path resources = Path.of(args[3]).resolve("dev/hypha/chain/abi");
        Path work = Path.of(args[4]);
        Files.createDirectories(sources);
        Files.createDirectories(resources);
        Files.createDirectories(work);
        if (upToDate(self, out, sources, resources, java.util.Arrays.copyOfRange(args, 5, args.length))) {
            System.out.println("contract bindings up to date");
            return;
        }
        ObjectMapper json = new ObjectMapper();
        for (int i = 5; i < args.length; i++) {
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
            // Known codegen quirk: PaymentToken's overloaded EIP-3009 functions (v,r,s and bytes
            // signature variants) make it warn "Duplicate field(s) found: [FUNC_TRANSFERWITHAUTHORIZATION...]";
            // it emits one name constant and both overloads, which compile and encode correctly.
            new SolidityFunctionWrapperGenerator(binFile.toFile(), abiFile.toFile(), sources.toFile(), name, PACKAGE,
                    true, false, 20).generate();
        }
    }
}
