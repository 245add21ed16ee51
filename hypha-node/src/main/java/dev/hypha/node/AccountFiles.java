package dev.hypha.node;

import dev.hypha.core.crypto.Address;

/**
 * How the node names a file that belongs to one account on one chain ({@code <prefix>-<chainId>-<account>.sqlite},
 * the account in lower case): provider ledgers, payer ledgers and receipts, coordinator logs. One rule, so a home's
 * files line up and `hypha usage` can find them by pattern.
 */
public final class AccountFiles {
    private AccountFiles() {}

    public static String name(String prefix, long chainId, Address account) {
        return prefix + "-" + chainId + "-" + account.lowercaseHex() + ".sqlite";
    }
}
