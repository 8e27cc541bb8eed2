package io.kerbgate.basic;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.initiator.GssInitiator;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.GSSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A password login through the JDK's {@code Krb5LoginModule} ({@link GssInitiator#withPassword}), then a service
 * ticket for the array principal, turned into an AP-REQ and handed to the node's own acceptor: the identity is the
 * client name of a ticket our keytab decrypted, as for a Negotiate request (PAC groups, realms, replay cache and all).
 * A KDC that answers the AS exchange for any password still cannot make a ticket under our key.
 *
 * <p>One login is one AS exchange as the KDC counts bad passwords: the JDK sends the AS-REQ without pre-authentication,
 * and with it only once the KDC asks ({@code PREAUTH_REQUIRED}); a {@code PREAUTH_FAILED} then ends the login, it is
 * not sent again with another salt or enctype. Timeouts are resent per {@code max_retries} of the krb5.conf, which is
 * why the README asks for {@code max_retries = 1}.
 *
 * <p>The JDK's errors name the KDC's error code at the end of the message, {@code "... (24)"}; its exception class is
 * not exported, so the code is read from there. A cause that is an {@link IOException} (timeout, refused, unreachable)
 * means no KDC answered.
 */
final class KdcPasswordLogin implements PasswordLogin {

    private static final Logger log = LoggerFactory.getLogger(KdcPasswordLogin.class);
    /** What the JDK throws when the AS-REP does not decrypt with the password's key (not exported: by name). */
    private static final String CRYPTO_EXCEPTION = "sun.security.krb5.KrbCryptoException";
    private static final Pattern KDC_CODE = Pattern.compile("\\((\\d{1,3})\\)");
    /** KDC answers that are a verdict on the user or password (RFC 4120 §7.5.9), all one 401 to the client. */
    private static final Map<Integer, String> CREDENTIAL_ERRORS = Map.of(
            6, "unknown user (KDC_ERR_C_PRINCIPAL_UNKNOWN)",
            12, "policy refuses the login (KDC_ERR_POLICY)",
            18, "account locked or disabled (KDC_ERR_CLIENT_REVOKED)",
            23, "password expired (KDC_ERR_KEY_EXPIRED)",
            24, "wrong password (KDC_ERR_PREAUTH_FAILED)",
            31, "wrong password (the AS-REP did not decrypt with it)");

    private final String service;
    private final HttpAuthenticator acceptor;

    /**
     * @param service  the array principal to get a ticket for, one of the keytab's
     * @param acceptor the node's acceptor, which must accept that ticket
     */
    KdcPasswordLogin(String service, HttpAuthenticator acceptor) {
        this.service = service;
        this.acceptor = acceptor;
    }

    @Override
    public Outcome login(String principal, char[] password, InetAddress peer) {
        GssInitiator login;
        try {
            login = GssInitiator.withPassword(principal, password);
        } catch (LoginException e) {
            return failed(principal, e);
        } catch (RuntimeException e) {
            return new Outcome.Unavailable("password login for " + principal + " failed: " + describe(e));
        }
        try {
            Negotiation negotiation = login.negotiate(service, GssMech.KRB5, false);
            Acceptance verdict = acceptor.authenticate(negotiation.headerValue(), peer, ChannelBindings.NONE);
            negotiation.dispose();
            if (verdict instanceof Accepted accepted) {
                // The acceptor's answer token is for our own initiator, never for the Basic client.
                return new Outcome.Success(new Accepted(accepted.client(), accepted.service(), accepted.kvno(),
                        accepted.enctype(), null, accepted.cachedTicket(), accepted.groups(), accepted.ticketEnd()));
            }
            Rejected rejected = (Rejected) verdict;
            log.error("basic: the KDC let {} log in, but its ticket for {} was refused by this node's acceptor"
                    + " ({}: {}):"
                    + " a KDC without our key (spoofed?) or keys out of step with the KDC; nobody gets in this way",
                    principal, service, rejected.reason().tag(), rejected.detail());
            return new Outcome.TicketRefused(rejected);
        } catch (GSSException e) {
            // The AS exchange worked, the TGS exchange did not: the array principal or the realm's set-up is at fault.
            return new Outcome.Unavailable("no ticket for " + service + " after the login of " + principal + ": "
                    + e.getMessage());
        } catch (RuntimeException e) {
            return new Outcome.Unavailable("ticket for " + service + " failed: " + describe(e));
        } finally {
            try {
                login.close();
            } catch (LoginException e) {
                log.debug("basic: logout failed", e);
            }
        }
    }

    private static Outcome failed(String principal, LoginException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return new Outcome.Unavailable("no KDC answered for " + principal + ": " + describe(t));
            }
            if (t.getClass().getName().equals(CRYPTO_EXCEPTION)) {
                // Without pre-authentication the KDC answers anyone; a wrong password shows here, on our side.
                return new Outcome.BadCredentials(principal + ": wrong password (the KDC's reply did not decrypt"
                        + " with it)");
            }
        }
        String message = String.valueOf(e.getMessage());
        Matcher code = KDC_CODE.matcher(message);
        if (code.find()) {
            String meaning = CREDENTIAL_ERRORS.get(Integer.parseInt(code.group(1)));
            if (meaning != null) {
                return new Outcome.BadCredentials(principal + ": " + meaning);
            }
        }
        return new Outcome.Unavailable("the KDC refused the login of " + principal + " for a reason that is not the"
                + " password: " + message);
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
