package dev.hypha.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the CLI takes from the process around it, injected so that tests run commands in-process with their own
 * environment variables, home folder and stop signal.
 *
 * @param env      environment variables (HYPHA_* configuration, {@code --password-env} lookups)
 * @param userHome the user's home folder, for defaults such as {@code ~/.hypha}
 * @param runUntil blocks a long-running command ({@code hypha up}) until it should stop
 */
public record CliEnvironment(Map<String, String> env, Path userHome, StopSignal runUntil) {

    public CliEnvironment {
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        Objects.requireNonNull(userHome, "userHome");
        Objects.requireNonNull(runUntil, "runUntil");
    }

    /** The real process: its environment, the user's home, Ctrl-C (JVM shutdown) to stop. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Path.of(System.getProperty("user.home")),
                StopSignal.untilJvmShutdown());
    }

    /** Blocks until a long-running command should stop, and learns when it has cleaned up. */
    public interface StopSignal {

        /** Blocks until the command should stop. */
        void await() throws InterruptedException;

        /** Called once the command has released everything it started (node, anvil). */
        default void finished() {
        }

        /**
         * Waits for the JVM to begin shutting down (Ctrl-C / SIGTERM). The shutdown hook then waits (bounded) for
         * {@link #finished()}, because the JVM halts as soon as its hooks return and would otherwise cut the
         * clean-up short (anvil writing its state file).
         */
        static StopSignal untilJvmShutdown() {
            CountDownLatch done = new CountDownLatch(1);
            return new StopSignal() {
                @Override
                public void await() throws InterruptedException {
                    // The hook is registered only here, so short commands never wait on it at exit.
                    CountDownLatch stop = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        stop.countDown();
                        try {
                            done.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "hypha-stop-signal"));
                    stop.await();
                }

                @Override
                public void finished() {
                    done.countDown();
                }
            };
        }

        /** Stops when the given latch is counted down (tests). */
        static StopSignal of(CountDownLatch latch) {
            return latch::await;
        }
    }
}
