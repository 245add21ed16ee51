package dev.hypha.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a TOML config file into dotted keys ({@code [rpc] url = ...} and {@code rpc.url = ...} both give
 * {@code rpc.url}), rejecting unknown keys and values of the wrong TOML kind with the file, key and line in the message.
 */
final class TomlSettings {
    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern TABLE = Pattern.compile("^\\s*\\[\\s*([^\\[\\]]+?)\\s*]\\s*(#.*)?$");
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*([A-Za-z0-9_.\"' -]+?)\\s*=");

    private TomlSettings() {}

    /** The file's values as text, keyed by setting, in file order. Values are checked for TOML kind here. */
    static Map<Setting<?>, String> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** Parses config text; {@code file} names it in error messages. */
    static Map<Setting<?>, String> parse(Path file, String text) {
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String line = at == null || at.getLineNr() < 1 ? "" : " line " + at.getLineNr() + ":";
            throw new ConfigException("config file " + file + ":" + line + " not valid TOML: " + e.getOriginalMessage(), e);
        }
        Map<Setting<?>, String> values = new LinkedHashMap<>();
        if (root != null) flatten(file, text, "", root, values);
        return values;
    }

    private static void flatten(Path file, String text, String prefix, JsonNode node, Map<Setting<?>, String> out) {
        for (var entry : node.properties()) {
            String key = prefix + entry.getKey();
            JsonNode value = entry.getValue();
            var setting = Settings.byKey(key);
            if (value.isObject() && setting.isEmpty()) {
                if (Settings.ALL.stream().noneMatch(s -> s.key().startsWith(key + "."))) {
                    throw unknown(file, text, key);
                }
                flatten(file, text, key + ".", value, out);
                continue;
            }
            if (setting.isEmpty()) throw unknown(file, text, key);
            Setting<?> s = setting.get();
            boolean kindMatches = switch (s.kind()) {
                case STRING -> value.isTextual();
                case INTEGER -> value.isIntegralNumber();
                case BOOLEAN -> value.isBoolean();
            };
            if (!kindMatches) {
                throw new ConfigException("config file " + file + ":" + lineOf(text, key) + " " + key
                        + " has the wrong type (expected " + describe(s) + ")");
            }
            out.put(s, value.asText());
        }
    }

    private static String describe(Setting<?> s) {
        return switch (s.kind()) {
            case STRING -> "a quoted string: " + s.expected();
            case INTEGER -> "an integer: " + s.expected();
            case BOOLEAN -> "true or false";
        };
    }

    private static ConfigException unknown(Path file, String text, String key) {
        return new ConfigException("config file " + file + ":" + lineOf(text, key) + " unknown key '" + key
                + "' (known keys: " + String.join(", ", Settings.ALL.stream().map(Setting::key).toList()) + ")");
    }

    /**
     * The " line N:" where {@code key} is assigned, or "" when it cannot be found. Jackson's TOML reader builds a tree
     * without positions, so the line is found again in the text, following [table] headers.
     */
    static String lineOf(String text, String key) {
        List<String> lines = text.lines().toList();
        String table = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher header = TABLE.matcher(line);
            if (header.matches()) {
                table = normalise(header.group(1));
                String headerKey = table;
                if (headerKey.equals(key) || key.startsWith(headerKey + ".") && Settings.byKey(headerKey).isPresent()) {
                    return " line " + (i + 1) + ":";
                }
                continue;
            }
            Matcher assignment = ASSIGNMENT.matcher(line);
            if (assignment.find()) {
                String local = normalise(assignment.group(1));
                String full = table.isEmpty() ? local : table + "." + local;
                if (full.equals(key) || full.startsWith(key + ".")) {
                    return " line " + (i + 1) + ":";
                }
            }
        }
        return "";
    }

    private static String normalise(String dotted) {
        StringBuilder out = new StringBuilder();
        for (String part : dotted.split("\\.")) {
            String p = part.strip();
            if (p.length() >= 2 && (p.startsWith("\"") && p.endsWith("\"") || p.startsWith("'") && p.endsWith("'"))) {
                p = p.substring(1, p.length() - 1);
            }
            if (!out.isEmpty()) out.append('.');
            out.append(p);
        }
        return out.toString();
    }
}
