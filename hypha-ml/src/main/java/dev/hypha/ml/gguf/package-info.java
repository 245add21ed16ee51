/**
 * GGUF model files: {@link dev.hypha.ml.gguf.GgufFile} maps a file read-only (FFM, one shared arena) and validates
 * every count, length and offset against the file size before allocating, so hostile files fail with a
 * {@link dev.hypha.ml.gguf.GgufFormatException} naming the field and offset; tensor data and array metadata are
 * zero-copy slices of the mapping. {@link dev.hypha.ml.gguf.GgufWriter} is the exact inverse (v3, metadata in
 * insertion order, tensors contiguous and aligned as ggml requires, atomic temp-file-and-move writes).
 */
package dev.hypha.ml.gguf;
