/** Training data: IDX parsing (hostile input), dataset manifests and the content-addressed dataset store. */
package dev.hypha.ml.train.data;
