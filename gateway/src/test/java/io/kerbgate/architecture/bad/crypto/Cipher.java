package io.kerbgate.architecture.bad.crypto;

import io.kerbgate.architecture.bad.keys.ReachesUp;

/** Closes the cycle keys -> crypto -> keys. */
public final class Cipher {
    public Class<?> owner() {
        return ReachesUp.class;
    }
}
