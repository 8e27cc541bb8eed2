package io.kerbgate.delegation;

import io.kerbgate.initiator.GssInitiator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import javax.security.auth.login.LoginException;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's own login for delegation: its principal's keys from the keytab, and the TGT an AS exchange with them
 * gets. Logged in at the first use and again once the TGT is within {@code renewBefore} of its end; a login that is
 * replaced is left to the garbage collector rather than logged out, because subjects made from it may still be
 * finishing a request.
 */
final class ServiceLogin implements AutoCloseable {

    private final String principal;
    private final Path keytab;
    private final Duration renewBefore;
    private final Clock clock;
    private @Nullable GssInitiator current;
    private Instant renewAt = Instant.MIN;

    ServiceLogin(String principal, Path keytab, Duration renewBefore, Clock clock) {
        this.principal = principal;
        this.keytab = keytab;
        this.renewBefore = renewBefore;
        this.clock = clock;
    }

    /**
     * A new subject holding the login's principal, TGT and keytab, for one delegation: the JDK stores the backend
     * ticket it gets in it, so each (user, backend) pair has a subject of its own and no user's ticket ever sits
     * where another's request looks.
     */
    synchronized Subject freshSubject() throws LoginException {
        Instant now = clock.instant();
        if (current == null || !now.isBefore(renewAt)) {
            GssInitiator login = GssInitiator.withServiceKeytab(principal, keytab);
            Instant end = tgtEnd(login.subject());
            current = login;
            renewAt = end.minus(renewBefore);
            if (!now.isBefore(renewAt)) {
                // A TGT shorter than renew_before: use it, and log in again at the next miss.
                renewAt = now;
            }
        }
        Subject login = current.subject();
        return new Subject(false, login.getPrincipals(), login.getPublicCredentials(), login.getPrivateCredentials());
    }

    private Instant tgtEnd(Subject subject) throws LoginException {
        for (KerberosTicket ticket : subject.getPrivateCredentials(KerberosTicket.class)) {
            if (ticket.getServer().getName().startsWith("krbtgt/")) {
                Date end = ticket.getEndTime();
                return end == null ? Instant.MIN : end.toInstant();
            }
        }
        throw new LoginException("the login of " + principal + " holds no TGT");
    }

    @Override
    public synchronized void close() throws LoginException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
