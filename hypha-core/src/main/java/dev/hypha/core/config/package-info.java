/**
 * Settings from defaults, a TOML file, HYPHA_* environment variables and flags, in that precedence, each value
 * remembering its source ({@link dev.hypha.core.config.HyphaConfig}); the keys live in
 * {@link dev.hypha.core.config.Settings}.
 */
package dev.hypha.core.config;
