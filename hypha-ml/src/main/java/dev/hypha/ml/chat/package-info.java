/**
 * Chat prompts from a model's own Jinja template ({@code tokenizer.chat_template}) rendered with Jinjava the way
 * Hugging Face's apply_chat_template does; ChatML is the documented fallback for models without a template.
 */
package dev.hypha.ml.chat;
