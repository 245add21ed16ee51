/**
 * Token sampling in llama.cpp's default order (penalties, top-k, top-p, min-p, temperature, draw) with a seeded,
 * specified random generator, so a seed reproduces its tokens on any machine.
 */
package dev.hypha.ml.sampling;
