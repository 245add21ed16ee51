package dev.hypha.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets the log level of the running {@code hypha}: DEBUG with {@code --verbose}, else the config's log.level. */
final class Logging {

    private Logging() {
    }

    /** Applies {@code --verbose} before anything logs. */
    static void apply(Hypha hypha) {
        if (hypha.verbose()) {
            root().setLevel(Level.DEBUG);
        }
    }

    /**
     * Applies a configured level name (trace, debug, info, warn, error); {@code --verbose} wins over it.
     *
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    static void applyConfigured(Hypha hypha, String levelName) {
        if (hypha.verbose()) {
            return;
        }
        root().setLevel(parse(levelName));
    }

    static Level parse(String levelName) {
        return switch (levelName.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARN;
            case "error" -> Level.ERROR;
            case "off" -> Level.OFF;
            default -> throw new IllegalArgumentException(
                    "log.level '" + levelName + "' is not a level (expected trace, debug, info, warn, error or off)");
        };
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
