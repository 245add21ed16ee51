/** Training runs: specs (TOML), the training loop with resumable checkpoints, model files and evaluation. */
package dev.hypha.ml.train.run;
