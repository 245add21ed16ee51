/** Content-addressed blobs and named references under {@code <home>/content}, written crash-safely. */
package dev.hypha.ml.train.store;
