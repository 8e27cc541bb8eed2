package io.kerbgate.rollover;

import io.kerbgate.initiator.GssInitiator;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;

/**
 * The check step's client: the array file's {@code check.client} logs in with its keytab through the JDK's own
 * Kerberos ({@link GssInitiator}), asks the KDC for a ticket to the array principal and makes a SPNEGO token.
 * Each call logs in anew, so the service ticket is always a fresh one, issued under the KDC's current kvno.
 */
public final class KeytabTicketSource implements TicketSource {

    private static final String KRB5_CONF = "java.security.krb5.conf";

    private final ArrayConfig.Check check;

    public KeytabTicketSource(ArrayConfig.Check check) {
        this.check = check;
    }

    @Override
    public String negotiateHeader(String servicePrincipal) throws Exception {
        if (check.krb5Conf() != null) {
            // The JDK reads this once; the initiator's login (refreshKrb5Config) makes it read it again.
            System.setProperty(KRB5_CONF, check.krb5Conf().toAbsolutePath().toString());
        }
        try (GssInitiator login = GssInitiator.withKeytab(check.client(), check.keytab())) {
            Negotiation negotiation = login.negotiate(servicePrincipal, GssMech.SPNEGO, false);
            negotiation.dispose();
            return negotiation.headerValue();
        }
    }
}
