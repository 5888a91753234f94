package dev.drydock.registry.identity;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import jakarta.enterprise.context.ApplicationScoped;

/** argon2id password hashes (OWASP's minimum: 19 MiB, 2 iterations, 1 lane). */
@ApplicationScoped
public class Passwords {

    private static final int ITERATIONS = 2;
    private static final int MEMORY_KIB = 19 * 1024;
    private static final int PARALLELISM = 1;

    private final Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);
    /** Verified against when a user does not exist, so that timing does not tell names apart. */
    private final String decoy = hash("drydock-decoy-password");

    public String hash(String password) {
        char[] chars = password.toCharArray();
        try {
            return argon2.hash(ITERATIONS, MEMORY_KIB, PARALLELISM, chars);
        } finally {
            argon2.wipeArray(chars);
        }
    }

    public boolean verify(String hash, String password) {
        char[] chars = password.toCharArray();
        try {
            return argon2.verify(hash == null ? decoy : hash, chars) && hash != null;
        } finally {
            argon2.wipeArray(chars);
        }
    }
}
