package dev.hypha.chain.tx;

import dev.hypha.chain.rpc.ChainClient;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands out nonces for accounts that many threads send from at once.
 *
 * <p>Nonce assignment and submission happen under one per-account lock ({@link #submit}), so
 * transactions reach the node in nonce order and a failed submission can never leave a gap behind
 * a later one: on failure the cached nonce is dropped and the next submission re-reads
 * {@code eth_getTransactionCount(pending)} from the node. Only the (fast) sign-and-send step is
 * serialized; waiting for receipts happens outside the lock, in parallel.
 */
public final class NonceManager {
    /** Signs a transaction with the given nonce and submits it; returns its hash. */
    @FunctionalInterface
    public interface Submission {
        String submit(BigInteger nonce);
    }

    private final ChainClient client;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    // Each entry is only read and written under its account's lock; the map itself is shared by
    // all accounts' threads, hence concurrent.
    private final Map<String, BigInteger> next = new ConcurrentHashMap<>();

    /** Nonces for accounts on the node behind {@code client}. */
    public NonceManager(ChainClient client) {
        this.client = client;
    }

    /**
     * Runs {@code submission} with the account's next nonce while holding the account's lock.
     * On success the nonce is consumed; on any exception it is not, and the cache is resynced from
     * the node before the next submission.
     */
    public String submit(String address, Submission submission) {
        String key = address.toLowerCase(Locale.ROOT);
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            BigInteger nonce = next.get(key);
            if (nonce == null) {
                nonce = client.pendingNonce(address);
            }
            String hash;
            try {
                hash = submission.submit(nonce);
            } catch (RuntimeException e) {
                next.remove(key);
                throw e;
            }
            next.put(key, nonce.add(BigInteger.ONE));
            return hash;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the cached nonce of an account (e.g. after it was used elsewhere). */
    public void resync(String address) {
        String key = address.toLowerCase(Locale.ROOT);
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            next.remove(key);
        } finally {
            lock.unlock();
        }
    }
}
