package dev.hypha.core.keys;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Where a keystore password comes from: an interactive prompt (no echo), the first line of a file, or an environment
 * variable. Implementations never keep the password and never put it in a message.
 */
public sealed interface PasswordSource {

    /** Reads the password; the caller clears the returned array when done. */
    char[] read();

    /** Asks on the terminal without echo; with {@code confirm}, asks twice and checks the answers match. */
    static PasswordSource prompt(String prompt, boolean confirm) {
        return new Prompt(prompt, confirm);
    }

    /** The first line of a file, without its line ending. */
    static PasswordSource file(Path file) {
        return new FromFile(file);
    }

    /** The value of an environment variable of this process. */
    static PasswordSource environment(String variable) {
        return new FromEnvironment(variable, System.getenv());
    }

    /** The value of a variable in the given environment (for tests and embedding). */
    static PasswordSource environment(String variable, Map<String, String> environment) {
        return new FromEnvironment(variable, environment);
    }

    /** Interactive prompt through {@link System#console()}. */
    record Prompt(String prompt, boolean confirm) implements PasswordSource {
        @Override
        public char[] read() {
            Console console = System.console();
            if (console == null) {
                throw new HyphaException(ErrorCategory.USAGE,
                        "no terminal to ask for a password; use --password-file FILE or --password-env VARIABLE");
            }
            char[] first = console.readPassword("%s", prompt);
            if (first == null || first.length == 0) {
                throw HyphaException.input("empty password");
            }
            if (confirm) {
                char[] second = console.readPassword("%s", "Repeat password: ");
                boolean same = second != null && Arrays.equals(first, second);
                if (second != null) Arrays.fill(second, '\0');
                if (!same) {
                    Arrays.fill(first, '\0');
                    throw HyphaException.input("the two passwords differ");
                }
            }
            return first;
        }
    }

    /** The first line of a file. */
    record FromFile(Path file) implements PasswordSource {
        public FromFile {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public char[] read() {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new HyphaException(ErrorCategory.NOT_FOUND, "password file " + file + " does not exist", e);
            } catch (IOException e) {
                throw HyphaException.io("cannot read password file " + file + ": " + e.getMessage(), e);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            Arrays.fill(bytes, (byte) 0);
            int end = 0;
            while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
            if (end == 0) {
                throw HyphaException.input("password file " + file + " is empty (expected the password on its first line)");
            }
            return text.substring(0, end).toCharArray();
        }

        @Override
        public String toString() {
            return "password file " + file;
        }
    }

    /** An environment variable. */
    record FromEnvironment(String variable, Map<String, String> environment) implements PasswordSource {
        public FromEnvironment {
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(environment, "environment");
        }

        @Override
        public char[] read() {
            String value = environment.get(variable);
            if (value == null) {
                throw new HyphaException(ErrorCategory.USAGE, "environment variable " + variable + " is not set (it should hold the password)");
            }
            if (value.isEmpty()) {
                throw HyphaException.input("environment variable " + variable + " is empty (it should hold the password)");
            }
            return value.toCharArray();
        }

        /** Names the variable only: the environment holds secrets. */
        @Override
        public String toString() {
            return "password from environment variable " + variable;
        }
    }
}
