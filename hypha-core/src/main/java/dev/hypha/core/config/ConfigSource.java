package dev.hypha.core.config;

/** Where a setting's value came from, lowest precedence first. */
public enum ConfigSource {
    DEFAULT("default"),
    FILE("file"),
    ENV("env"),
    FLAG("flag");

    private final String label;

    ConfigSource(String label) {
        this.label = label;
    }

    /** The word {@code hypha config show} prints. */
    public String label() {
        return label;
    }
}
