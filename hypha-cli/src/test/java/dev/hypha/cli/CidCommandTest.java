package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha cid} prints the ids the JavaScript IPFS importer (ipfs-unixfs-importer, behind Helia) computes for the
 * same files under the unixfs-v1-2025 profile: an empty file, one chunk, and several chunks under one parent.
 */
class CidCommandTest {

    @Test
    void idsEqualTheJavaScriptImportersAndNothingIsStored(@TempDir Path dir) throws Exception {
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        Path small = Files.writeString(dir.resolve("hello.txt"), "hello, world\n");
        byte[] big = new byte[(3 << 20) + 12345];
        new Random(5).nextBytes(big);
        Path large = Files.write(dir.resolve("large.bin"), big);

        CliRun run = CliRun.run("cid", empty.toString(), small.toString(), large.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> reference = reference(List.of(empty, small, large));
        assertThat(run.out().lines().toList()).containsExactly(
                reference.get(0) + "  " + empty, reference.get(1) + "  " + small, reference.get(2) + "  " + large);
        assertThat(CliRun.run("cid", "-q", small.toString()).out()).isEqualTo(reference.get(1) + "\n");
        try (var files = Files.list(dir)) {
            assertThat(files.count()).as("cid stores nothing").isEqualTo(3);
        }
    }

    @Test
    void aMissingFileIsNamed_aFolderHasItsDirectoryId_aLinkInItIsRefused(@TempDir Path dir) throws Exception {
        CliRun missing = CliRun.run("cid", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(missing.errorLine()).contains("no such file").contains("nope");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        // IPFS's well-known id of the empty UnixFS directory (CIDv1)
        assertThat(CliRun.run("cid", "-q", empty.toString()).out())
                .isEqualTo("bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354\n");
        Files.createSymbolicLink(empty.resolve("link"), dir);
        CliRun linked = CliRun.run("cid", empty.toString());
        assertThat(linked.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(linked.errorLine()).contains("is a symbolic link");
    }

    /** The JavaScript importer's ids, through hypha-core's reference script. */
    private static List<String> reference(List<Path> files) throws Exception {
        Path root = Path.of(System.getProperty("hypha.repo.root"));
        List<String> command = new ArrayList<>(List.of(node(), root.resolve("hypha-core/src/test/node/unixfs-cid.mjs").toString()));
        files.forEach(f -> command.add(f.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HYPHA_REPO_ROOT", root.toString());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
        return output.strip().lines().map(l -> l.split(" ", 2)[0]).toList();
    }

    private static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "node"))) {
                return Path.of(dir, "node").toString();
            }
        }
        throw new IllegalStateException("node is not on PATH; the test runs the reference importer with it");
    }
}
