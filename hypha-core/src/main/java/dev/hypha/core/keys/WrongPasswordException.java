package dev.hypha.core.keys;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/** The password does not decrypt the keystore. Names the account, never the password. */
public final class WrongPasswordException extends HyphaException {
    private static final long serialVersionUID = 1L;

    private final transient Address account;

    public WrongPasswordException(Address account) {
        super(ErrorCategory.AUTH, "wrong password for account " + account);
        this.account = account;
    }

    /** The account whose keystore did not open. */
    public Address account() {
        return account;
    }
}
