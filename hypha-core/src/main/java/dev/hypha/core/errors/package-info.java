/**
 * {@link dev.hypha.core.errors.HyphaException}: one user-facing line plus a category that decides the exit code.
 */
package dev.hypha.core.errors;
