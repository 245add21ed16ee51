package dev.hypha.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Hypha's settings, resolved from (lowest to highest precedence) defaults, the TOML config file, environment
 * variables ({@code HYPHA_<KEY>}) and command-line flags. Each value remembers where it came from, for
 * {@code hypha config show}. Immutable once loaded.
 */
public final class HyphaConfig {
    /** Name of the config file inside the Hypha home folder. */
    public static final String FILE_NAME = "config.toml";

    private final Map<Setting<?>, ConfigValue<?>> values;
    private final Path file;

    private HyphaConfig(Map<Setting<?>, ConfigValue<?>> values, Path file) {
        this.values = values;
        this.file = file;
    }

    /** Defaults only (no file, environment or flags). */
    public static HyphaConfig defaults(Path userHome) {
        return load(Optional.empty(), Map.of(), Map.of(), userHome);
    }

    /**
     * Resolves every setting.
     *
     * @param configFile  a file named explicitly (must exist); when empty, {@code <home>/config.toml} is read if it
     *                    exists, with home taken from the flags, the environment or the default
     * @param environment the process environment (only {@code HYPHA_<KEY>} variables of known keys are read)
     * @param flags       key to text, from the command line; unknown keys are an error
     * @param userHome    the user's home folder, for defaults
     * @throws ConfigException naming the file/variable/flag, key and expectation for anything malformed
     */
    public static HyphaConfig load(Optional<Path> configFile, Map<String, String> environment, Map<String, String> flags,
                                   Path userHome) {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(flags, "flags");
        for (String key : flags.keySet()) {
            if (Settings.byKey(key).isEmpty()) {
                throw new ConfigException("unknown setting '" + key + "' given as a flag");
            }
        }
        Settings.Context context = new Settings.Context(userHome);
        Path file = configFile.orElseGet(() -> {
            Path home = earlyHome(environment, flags, context);
            Path candidate = home.resolve(FILE_NAME);
            return Files.isRegularFile(candidate) ? candidate : null;
        });
        Map<Setting<?>, String> fromFile = file == null ? Map.of() : TomlSettings.read(file);

        Map<Setting<?>, ConfigValue<?>> resolved = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.ALL) {
            resolved.put(setting, resolve(setting, fromFile, environment, flags, file, context));
        }
        return new HyphaConfig(resolved, file);
    }

    private static <T> ConfigValue<T> resolve(Setting<T> setting, Map<Setting<?>, String> fromFile,
                                              Map<String, String> environment, Map<String, String> flags,
                                              Path file, Settings.Context context) {
        String flag = flags.get(setting.key());
        if (flag != null) {
            return new ConfigValue<>(setting, setting.parse(flag, "flag --" + setting.key()), ConfigSource.FLAG,
                    "--" + setting.key());
        }
        String variable = setting.environmentVariable();
        String env = environment.get(variable);
        if (env != null && !env.isEmpty()) {
            return new ConfigValue<>(setting, setting.parse(env, "environment variable " + variable), ConfigSource.ENV, variable);
        }
        String text = fromFile.get(setting);
        if (text != null) {
            return new ConfigValue<>(setting, setting.parse(text, "config file " + file), ConfigSource.FILE, file.toString());
        }
        return new ConfigValue<>(setting, setting.defaults().apply(context), ConfigSource.DEFAULT, "");
    }

    private static Path earlyHome(Map<String, String> environment, Map<String, String> flags, Settings.Context context) {
        String flag = flags.get(Settings.HOME.key());
        if (flag != null) return Settings.HOME.parse(flag, "flag --home");
        String env = environment.get(Settings.HOME.environmentVariable());
        if (env != null && !env.isEmpty()) return Settings.HOME.parse(env, "environment variable HYPHA_HOME");
        return Settings.HOME.defaults().apply(context);
    }

    /** The resolved value with its source. */
    @SuppressWarnings("unchecked")
    public <T> ConfigValue<T> value(Setting<T> setting) {
        ConfigValue<?> value = values.get(setting);
        if (value == null) throw new IllegalArgumentException("setting " + setting.key() + " is not registered in Settings.ALL");
        return (ConfigValue<T>) value;
    }

    /** The value, or empty for an optional setting left unset. */
    public <T> Optional<T> find(Setting<T> setting) {
        return Optional.ofNullable(value(setting).value());
    }

    /**
     * The value of a setting that must be set.
     *
     * @throws ConfigException naming the key and the ways to set it when it is unset
     */
    public <T> T get(Setting<T> setting) {
        return find(setting).orElseThrow(() -> new ConfigException("no value for " + setting.key() + " (set it in "
                + FILE_NAME + ", with " + setting.environmentVariable() + " or with a flag; expected " + setting.expected() + ")"));
    }

    /** Every setting, sorted by key. */
    public List<ConfigValue<?>> values() {
        return List.copyOf(values.values());
    }

    /** The config file that was read, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** One {@code key = value   (source)} line per setting, sorted by key. */
    public List<String> show() {
        List<String> lines = new ArrayList<>();
        for (ConfigValue<?> value : values.values()) lines.add(value.display());
        return lines;
    }
}
