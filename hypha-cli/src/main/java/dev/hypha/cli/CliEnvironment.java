package dev.hypha.cli;

import java.io.Console;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the CLI takes from the process around it, injected so that tests run commands in-process with their own
 * environment variables, password prompt and stop signal.
 *
 * @param env       environment variables (HYPHA_* configuration, {@code --password-env} lookups)
 * @param prompt    reads a password without echo; the system one uses {@link System#console()}
 * @param runUntil  blocks a long-running command ({@code hypha up}) until it should stop
 */
public record CliEnvironment(Map<String, String> env, PasswordPrompt prompt, StopSignal runUntil) {

    public CliEnvironment {
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(runUntil, "runUntil");
    }

    /** The real process: its environment, the console for passwords, Ctrl-C (JVM shutdown) to stop. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), PasswordPrompt.console(), StopSignal.untilJvmShutdown());
    }

    /** Reads a password interactively. */
    @FunctionalInterface
    public interface PasswordPrompt {

        /**
         * @param question what to ask, e.g. "Password for 0x...: "
         * @return the password, or null when there is no terminal to ask on
         */
        char[] read(String question);

        static PasswordPrompt console() {
            return question -> {
                Console console = System.console();
                return console == null ? null : console.readPassword("%s", question);
            };
        }

        /** For non-interactive runs: there is never a terminal. */
        static PasswordPrompt none() {
            return question -> null;
        }
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
