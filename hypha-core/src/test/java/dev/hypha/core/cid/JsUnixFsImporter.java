package dev.hypha.core.cid;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the JavaScript UnixFS importer (ipfs-unixfs-importer from the repository's node_modules) through
 * src/test/node/unixfs-cid.mjs: the reference our importer must agree with.
 */
final class JsUnixFsImporter {
    /** One reference answer: the root CID and how many distinct blocks the import stored. */
    record Answer(String cid, int blocks) {}

    private JsUnixFsImporter() {}

    static Path repoRoot() {
        String root = System.getProperty("hypha.repo.root");
        if (root == null) throw new IllegalStateException("system property hypha.repo.root is not set (surefire sets it)");
        return Path.of(root);
    }

    static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new IllegalStateException("node is not on PATH; the CID tests need it to run the reference importer");
    }

    static List<Answer> cids(int chunkSize, int width, List<Path> files) throws IOException, InterruptedException {
        Path root = repoRoot();
        List<String> command = new ArrayList<>(List.of(node(),
                root.resolve("hypha-core/src/test/node/unixfs-cid.mjs").toString(),
                "--chunk-size", Integer.toString(chunkSize), "--width", Integer.toString(width)));
        files.forEach(f -> command.add(f.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HYPHA_REPO_ROOT", root.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) throw new IllegalStateException("reference importer failed (exit " + exit + "):\n" + output);
        List<Answer> answers = new ArrayList<>();
        for (String line : output.strip().split("\n")) {
            String[] parts = line.split(" ", 3);
            answers.add(new Answer(parts[0], Integer.parseInt(parts[1])));
        }
        if (answers.size() != files.size()) throw new IllegalStateException("expected " + files.size() + " answers, got:\n" + output);
        return answers;
    }
}
