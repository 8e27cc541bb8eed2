package io.kerbgate.admin;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.config.AddressRange;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySetChange;
import io.kerbgate.keys.KeytabEditor;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's key writes, {@code PUT /keys} and {@code DELETE /keys}: who may make them, over what, and what they
 * do. Never open, and never in clear:
 * <ol>
 *   <li>the transport: over plain HTTP a write is refused (403) unless the peer is in
 *       {@code admin.plain_key_writes_from} (default loopback only: a key that never leaves the host). Anything else
 *       must come over TLS ({@code admin.tls}), so the key is confidential and the node authenticated to the tool;</li>
 *   <li>the writer: a client certificate chained to {@code admin.tls.client_ca} whose subject is in
 *       {@code admin.key_writer_certificates} (what a node without keys yet can check), or
 *       {@code Authorization: Negotiate}, a ticket for this gateway's own service principal checked by the gateway's
 *       own acceptor (so every check of the front applies, replay included), whose client principal is in
 *       {@code admin.key_writers}.</li>
 * </ol>
 * With no writer of either kind configured, every write is refused. With a state directory ({@code keys.state_dir})
 * the keys go to its keytab; otherwise to the configured keytab. A delete also retires the kvnos in the key ring
 * ({@link KeyRing#retireBelow}): accepted for the grace period from now, then never again, restarts included.
 *
 * <table>
 *   <caption>Answers</caption>
 *   <tr><td>key writes disabled (no writer configured)</td><td>403</td></tr>
 *   <tr><td>plain HTTP from a peer outside {@code admin.plain_key_writes_from}</td><td>403 with the reason</td></tr>
 *   <tr><td>no {@code Authorization} and no listed certificate, or a token the acceptor refuses</td>
 *       <td>401 {@code WWW-Authenticate: Negotiate}</td></tr>
 *   <tr><td>Negotiate to a node with no keys yet</td><td>409: it cannot check a ticket; use a certificate</td></tr>
 *   <tr><td>authenticated, not a key writer</td><td>403</td></tr>
 *   <tr><td>a body that is not a keytab, an entry of another principal, bad query</td><td>400 with the reason</td></tr>
 *   <tr><td>the node's keytab is unreadable, or a delete would leave no key</td><td>409 with the reason</td></tr>
 *   <tr><td>done</td><td>200 with what changed, one line each</td></tr>
 * </table>
 * Every write and every refused attempt is logged with the client principal or certificate and the address.
 */
public final class KeyWrites {

    private static final Logger log = LoggerFactory.getLogger(KeyWrites.class);
    static final String DISABLED = "key writes are disabled: configure admin.key_writers";

    private final Set<String> writers;
    private final Set<X500Principal> certificateWriters;
    private final List<AddressRange> plainFrom;
    private final @Nullable HttpAuthenticator authenticator;
    private final @Nullable KeytabEditor editor;
    private final @Nullable KeyRing ring;

    private KeyWrites(Set<String> writers, Set<X500Principal> certificateWriters, List<AddressRange> plainFrom,
            @Nullable HttpAuthenticator authenticator, @Nullable KeytabEditor editor, @Nullable KeyRing ring) {
        this.writers = writers;
        this.certificateWriters = certificateWriters;
        this.plainFrom = plainFrom;
        this.authenticator = authenticator;
        this.editor = editor;
        this.ring = ring;
    }

    /** Every write refused with 403. */
    public static KeyWrites disabled() {
        return new KeyWrites(Set.of(), Set.of(), List.of(), null, null, null);
    }

    /**
     * Writes by the principals of {@code admin.key_writers} (authenticated by {@code authenticator}, the gateway's
     * acceptor) and the certificates of {@code admin.key_writer_certificates}, to the state directory's keytab when
     * {@code keys.state_dir} is set, else to {@code keytab}; {@link #disabled()} when no writer is configured.
     *
     * @param ring the node's key ring: the principals it serves bound what may be added, and a delete retires there
     */
    public static KeyWrites of(GatewayConfig config, HttpAuthenticator authenticator, KeyRing ring) {
        GatewayConfig.Admin admin = config.admin();
        if (admin.keyWriters().isEmpty() && admin.keyWriterCertificates().isEmpty()) {
            return disabled();
        }
        Set<X500Principal> subjects = new LinkedHashSet<>();
        admin.keyWriterCertificates().forEach(dn -> subjects.add(new X500Principal(dn)));
        boolean stateDir = config.keys().stateDir() != null;
        KeytabEditor editor = new KeytabEditor(stateDir ? config.keys().installedKeytab() : config.keytab(),
                ring::principalsServed, stateDir);
        return new KeyWrites(new LinkedHashSet<>(admin.keyWriters()), subjects, admin.plainKeyWritesFrom(),
                Objects.requireNonNull(authenticator, "authenticator"), editor, Objects.requireNonNull(ring, "ring"));
    }

    boolean enabled() {
        return editor != null;
    }

    /**
     * Who asks, and over what.
     *
     * @param secure      the request came over TLS
     * @param certificate the subject of the client certificate the TLS handshake verified, or {@code null}
     */
    record Caller(List<String> authorization, InetAddress peer, boolean secure, @Nullable X500Principal certificate) {
        static Caller plain(List<String> authorization, InetAddress peer) {
            return new Caller(authorization, peer, false, null);
        }
    }

    /** An answer: status, body, and the {@code WWW-Authenticate} value to send, if any. */
    record Answer(int status, String body, @Nullable String wwwAuthenticate) {
        Answer {
            body = body.endsWith("\n") ? body : body + "\n";
        }

        static Answer of(int status, String body) {
            return new Answer(status, body, null);
        }
    }

    /** The caller, once authenticated and allowed. */
    private record Writer(String principal, @Nullable String wwwAuthenticate) {}

    /** {@code PUT /keys}: {@code body} is a keytab whose entries join the node's. */
    Answer put(Caller caller, byte[] body) {
        InetAddress peer = caller.peer();
        Object who = authorize(caller, "PUT /keys");
        if (who instanceof Answer refused) {
            return refused;
        }
        Writer writer = (Writer) who;
        List<KeytabEntry> entries;
        try {
            entries = KeytabFile.parse(body);
        } catch (KeytabException e) {
            return answer(writer, 400, "the body is not a keytab: " + e.getMessage());
        }
        try {
            KeytabEditor.Added added = editor.add(entries);
            log.info("PUT /keys by {} from {}: {} added or replaced {}, {} already there", writer.principal(),
                    peer.getHostAddress(), added.changed().size(), added.changed(), added.unchanged().size());
            StringBuilder out = new StringBuilder();
            added.changed().forEach(line -> out.append("added ").append(line).append('\n'));
            added.unchanged().forEach(line -> out.append("unchanged ").append(line).append('\n'));
            return answer(writer, 200, out.toString());
        } catch (IllegalArgumentException e) {
            return answer(writer, 400, e.getMessage());
        } catch (KeytabException e) {
            return answer(writer, 409, e.getMessage());
        } catch (IOException e) {
            log.error("PUT /keys by {}: cannot write {}", writer.principal(), editor.keytab(), e);
            return answer(writer, 500, "cannot write the keytab: " + e.getMessage());
        }
    }

    /** {@code DELETE /keys?principal=P&below_kvno=N}. */
    Answer delete(Caller caller, List<String> principals, List<String> belowKvnos) {
        InetAddress peer = caller.peer();
        Object who = authorize(caller, "DELETE /keys");
        if (who instanceof Answer refused) {
            return refused;
        }
        Writer writer = (Writer) who;
        if (principals.size() != 1 || belowKvnos.size() != 1) {
            return answer(writer, 400, "give principal and below_kvno once each: DELETE /keys?principal=P&below_kvno=N");
        }
        int below;
        try {
            below = Integer.parseInt(belowKvnos.get(0));
        } catch (NumberFormatException e) {
            return answer(writer, 400, "below_kvno \"" + belowKvnos.get(0) + "\" is not a whole number");
        }
        try {
            SortedSet<Integer> removed = editor.removeBelow(principals.get(0), below);
            // In grace from now (as after any change of the file), and remembered: no keytab brings them back, and a
            // restart keeps the deadline.
            KeySetChange change = ring.retireBelow(principals.get(0), below, ring.clock().instant());
            SortedSet<Integer> ended = change.enteredGrace().getOrDefault(principals.get(0), new TreeSet<>());
            log.info("DELETE /keys by {} from {}: {} kvnos {} removed from {}, kvnos {} in grace, then retired",
                    writer.principal(), peer.getHostAddress(), principals.get(0), removed, editor.keytab(), ended);
            return answer(writer, 200, removed.isEmpty() && ended.isEmpty() ? "nothing to remove\n"
                    : "removed " + principals.get(0) + " kvnos " + removed + (ended.isEmpty() ? ""
                    : "; accepted for the grace period, then never again: kvnos " + ended) + "\n");
        } catch (IllegalStateException e) {
            return answer(writer, 409, e.getMessage());
        } catch (KeytabException e) {
            return answer(writer, 409, e.getMessage());
        } catch (IOException e) {
            log.error("DELETE /keys by {}: cannot write {}", writer.principal(), editor.keytab(), e);
            return answer(writer, 500, "cannot write the keytab: " + e.getMessage());
        }
    }

    /** A {@link Writer}, or the {@link Answer} that refuses the request. */
    private Object authorize(Caller caller, String what) {
        String from = caller.peer().getHostAddress();
        if (editor == null || authenticator == null) {
            log.warn("{} from {} refused: {}", what, from, DISABLED);
            return Answer.of(403, DISABLED);
        }
        if (!caller.secure() && plainFrom.stream().noneMatch(range -> range.contains(caller.peer()))) {
            log.warn("{} from {} refused: plain HTTP from outside admin.plain_key_writes_from {}", what, from,
                    plainFrom);
            return Answer.of(403, "key writes over plain HTTP are refused from " + from + ": the key would cross the"
                    + " network in clear. Use https:// (admin.tls on this node), or list the address in"
                    + " admin.plain_key_writes_from (default loopback only)");
        }
        if (caller.certificate() != null && certificateWriters.contains(caller.certificate())) {
            return new Writer("certificate " + caller.certificate().getName(), null);
        }
        List<String> authorization = caller.authorization();
        if (authorization.isEmpty()) {
            if (writers.isEmpty()) {
                return Answer.of(403, "present a client certificate listed in admin.key_writer_certificates"
                        + (caller.certificate() == null ? "" : " (" + caller.certificate().getName() + " is not)"));
            }
            return new Answer(401, "authenticate with Negotiate as one of admin.key_writers", "Negotiate");
        }
        if (authorization.size() > 1) {
            return Answer.of(400, "more than one Authorization header");
        }
        if (authenticator.keys().isEmpty()) {
            log.warn("{} from {} refused: Negotiate, but this node has no keys yet to check the ticket", what, from);
            return Answer.of(409, "this node has no keys yet, so it cannot check a Negotiate ticket: authenticate"
                    + " with a client certificate listed in admin.key_writer_certificates, or install the first keys"
                    + " from the node itself (loopback)");
        }
        Acceptance verdict = authenticator.authenticate(authorization.get(0), caller.peer());
        if (verdict instanceof Acceptance.Rejected rejected) {
            log.warn("{} from {} refused: authentication failed reason={} detail=\"{}\"", what, from,
                    rejected.reason().tag(), rejected.detail());
            return new Answer(401, "authentication failed", "Negotiate");
        }
        Acceptance.Accepted accepted = (Acceptance.Accepted) verdict;
        if (!writers.contains(accepted.client())) {
            log.warn("{} from {} refused: {} is not in admin.key_writers", what, from, accepted.client());
            return Answer.of(403, accepted.client() + " is not in admin.key_writers");
        }
        byte[] token = accepted.responseToken();
        return new Writer(accepted.client(),
                token == null ? null : "Negotiate " + Base64.getEncoder().encodeToString(token));
    }

    private static Answer answer(Writer writer, int status, String body) {
        return new Answer(status, body, writer.wwwAuthenticate());
    }
}
