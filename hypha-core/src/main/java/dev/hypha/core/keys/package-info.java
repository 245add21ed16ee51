/**
 * Encrypted keys: a folder of Web3 Secret Storage v3 keystores shared with geth and Foundry
 * ({@link dev.hypha.core.keys.KeystoreDirectory}) and the places a password can come from
 * ({@link dev.hypha.core.keys.PasswordSource}). Keys and passwords are never printed or logged.
 */
package dev.hypha.core.keys;
