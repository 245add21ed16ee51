/**
 * Trained classifiers written in formats other engines read: ONNX ({@link dev.hypha.ml.train.export.OnnxExport}) and
 * safetensors ({@link dev.hypha.ml.train.export.Safetensors}).
 */
package dev.hypha.ml.train.export;
