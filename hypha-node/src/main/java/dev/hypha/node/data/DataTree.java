package dev.hypha.node.data;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.cid.UnixFsDirectory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder read as one dataset: its subfolders and files in a fixed order, each file's content id, and the folder's
 * UnixFS directory id (what {@code ipfs add -r} gives it), which the datasheet commits to and a reader checks the
 * restored tree against. Only plain files and folders are accepted: a symbolic link or any other kind of entry is
 * refused, naming it, so what is sealed is exactly what {@code data get} can restore. Bounded: at most
 * {@link DirectoryManifest#MAX_ENTRIES} files and folders, {@link DirectoryManifest#MAX_DEPTH} levels.
 *
 * @param dirs  every subfolder's relative path ('/'-separated), parents before children
 * @param files every file, by relative path
 * @param root  the folder's UnixFS directory node
 */
public record DataTree(List<String> dirs, List<File> files, UnixFsDirectory.Built root) {
    /** One file of the tree. */
    public record File(String path, long size, ContentId plaintext) {}

    public DataTree {
        dirs = List.copyOf(dirs);
        files = List.copyOf(files);
    }

    /** The total plaintext bytes. */
    public long size() {
        long total = 0;
        for (File f : files) total = Math.addExact(total, f.size());
        return total;
    }

    /**
     * Reads {@code folder}.
     *
     * @throws HyphaException (INPUT) naming the entry that is a link or special file, a name a manifest cannot hold,
     *     or the bound passed
     */
    public static DataTree scan(Path folder) {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw HyphaException.input(folder + " is not a folder");
        }
        List<String> dirs = new ArrayList<>();
        List<File> files = new ArrayList<>();
        UnixFsDirectory.Built root = walk(folder, "", 0, dirs, files);
        return new DataTree(dirs, files, root);
    }

    private static UnixFsDirectory.Built walk(Path dir, String prefix, int depth, List<String> dirs, List<File> files) {
        if (depth >= DirectoryManifest.MAX_DEPTH) {
            throw HyphaException.input(dir + " is nested more than " + DirectoryManifest.MAX_DEPTH + " folders deep");
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            // sorted by name so the manifest (and the order files are sealed in) is the same on every run
            children = list.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw HyphaException.io("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<UnixFsDirectory.Entry> entries = new ArrayList<>();
        for (Path child : children) {
            String name = child.getFileName().toString();
            String path = prefix.isEmpty() ? name : prefix + "/" + name;
            try {
                DirectoryManifest.checkPath(path);
            } catch (IllegalArgumentException e) {
                throw HyphaException.input(child + ": " + e.getMessage());
            }
            if (dirs.size() + files.size() >= DirectoryManifest.MAX_ENTRIES) {
                throw HyphaException.input(dir + " holds more than " + DirectoryManifest.MAX_ENTRIES
                        + " files and folders; add it in parts");
            }
            if (Files.isSymbolicLink(child)) {
                throw HyphaException.input(child + " is a symbolic link: copy what it points to into the folder, or "
                        + "remove it (links are not sealed)");
            } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                dirs.add(path);
                UnixFsDirectory.Built sub = walk(child, path, depth + 1, dirs, files);
                entries.add(new UnixFsDirectory.Entry(name, sub.cid(), sub.cumulativeSize()));
            } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                UnixFsDirectory.Entry e = ContentIds.entry(name, child);
                try {
                    files.add(new File(path, Files.size(child), e.cid()));
                } catch (IOException ex) {
                    throw HyphaException.io("cannot read " + child + ": " + ex.getMessage(), ex);
                }
                entries.add(e);
            } else {
                throw HyphaException.input(child + " is neither a plain file nor a folder");
            }
        }
        try {
            return UnixFsDirectory.of(entries);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input(dir + ": " + e.getMessage());
        }
    }
}
