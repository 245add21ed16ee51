package dev.hypha.core.config;

/**
 * A resolved setting.
 *
 * @param setting the key
 * @param value   the value, or null when an optional setting has none
 * @param source  where it came from
 * @param origin  the file, variable or flag that set it (empty for defaults)
 */
public record ConfigValue<T>(Setting<T> setting, T value, ConfigSource source, String origin) {
    /** {@code key = value   (source)}, as {@code hypha config show} prints it. */
    public String display() {
        String shown = value == null ? "(unset)" : value.toString();
        return setting.key() + " = " + shown + "   (" + source.label() + ")";
    }
}
