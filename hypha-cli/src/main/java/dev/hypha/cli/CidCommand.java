package dev.hypha.cli;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha cid FILE...}: each file's content id, computed in one streaming pass and stored nowhere. The ids are
 * IPFS's for the same bytes under the unixfs-v1-2025 profile ({@code ipfs add --only-hash} with CIDv1, raw leaves, 1 MiB
 * chunks, balanced DAG of width 1024), so a file can be looked up by the id on either network.
 */
@Command(name = "cid", description = {"Print each file's content id (IPFS unixfs-v1-2025 CIDv1) without storing it.",
        "The same id `ipfs add --only-hash --cid-version 1 --raw-leaves --chunker size-1048576` prints;",
        "for a folder, the directory id `ipfs add -r` prints last with the same options."})
final class CidCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files (or folders) to identify.")
    List<Path> files;

    @Option(names = {"-q", "--quiet"}, description = "Print only the ids, one per line.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Path file : files) {
            // A folder's id is its UnixFS directory's (what `ipfs add -r` prints last), as `hypha data add DIR` commits to.
            String cid = Files.isDirectory(file) ? dev.hypha.node.data.DataTree.scan(file).root().cid().toString()
                    : ContentIds.of(file).toString();
            out.println(quiet ? cid : cid + "  " + TerminalText.line(file.toString()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
