/** Small file-system helpers shared by the modules: crash-safe writes. */
package dev.hypha.core.io;
