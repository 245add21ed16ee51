/**
 * Time and waiting, injected: every class that reads a clock, waits for something or backs off takes a
 * {@link dev.hypha.core.time.TimeSource}, so tests and simulations control time ({@link
 * dev.hypha.core.time.ManualTimeSource}) and production uses the system's ({@link dev.hypha.core.time.TimeSource#SYSTEM}).
 */
package dev.hypha.core.time;
