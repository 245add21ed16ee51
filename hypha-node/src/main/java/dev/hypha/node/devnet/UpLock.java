package dev.hypha.node.devnet;

import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One {@code hypha up} per home folder: an exclusive lock on {@code <home>/devnet/up.lock}, held while the local
 * network runs. The operating system releases it when the process dies (even by kill -9), so holding it also proves
 * that any anvil recorded in the pid file belongs to a dead {@code hypha up} and may be stopped as a leftover;
 * without it a second {@code hypha up} would stop the chain of a first one that is still running.
 */
final class UpLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private UpLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or fails naming the process that holds it. */
    static UpLock acquire(Path lockFile) {
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                FileLock lock = tryLock(channel);
                if (lock == null) {
                    String holder = readHolder(lockFile);
                    throw HyphaException.input("another `hypha up` is already running with home "
                            + lockFile.getParent().getParent() + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                            + "; stop it first (Ctrl-C) or use another --home");
                }
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                channel.force(false);
                return new UpLock(channel, lock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /** The lock, or null when another process (or another start in this JVM) holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldByThisJvm) {
            return null;
        }
    }

    private static String readHolder(Path lockFile) {
        try {
            return Files.readString(lockFile, StandardCharsets.US_ASCII).strip();
        } catch (IOException unreadable) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel; nothing is left to undo
        }
    }
}
