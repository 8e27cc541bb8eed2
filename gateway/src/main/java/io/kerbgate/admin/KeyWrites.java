package io.kerbgate.admin;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.config.GatewayConfig;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's key writes, {@code PUT /keys} and {@code DELETE /keys}: who may make them and what they do. Never
 * open: a writer authenticates with {@code Authorization: Negotiate}, a ticket for this gateway's own service
 * principal checked by the gateway's own acceptor (so every check of the front applies, replay included), and its
 * client principal must be in {@code admin.key_writers}. With no writer configured, every write is refused.
 *
 * <table>
 *   <caption>Answers</caption>
 *   <tr><td>key writes disabled (no {@code admin.key_writers})</td><td>403</td></tr>
 *   <tr><td>no {@code Authorization}, or a token the acceptor refuses</td><td>401 {@code WWW-Authenticate: Negotiate}</td></tr>
 *   <tr><td>authenticated, not in {@code admin.key_writers}</td><td>403</td></tr>
 *   <tr><td>a body that is not a keytab, an entry of another principal, bad query</td><td>400 with the reason</td></tr>
 *   <tr><td>the node's keytab is unreadable, or a delete would leave no key</td><td>409 with the reason</td></tr>
 *   <tr><td>done</td><td>200 with what changed, one line each</td></tr>
 * </table>
 * Every write and every refused attempt is logged with the client principal or address.
 */
public final class KeyWrites {

    private static final Logger log = LoggerFactory.getLogger(KeyWrites.class);
    static final String DISABLED = "key writes are disabled: configure admin.key_writers";

    private final Set<String> writers;
    private final @Nullable HttpAuthenticator authenticator;
    private final @Nullable KeytabEditor editor;

    private KeyWrites(Set<String> writers, @Nullable HttpAuthenticator authenticator, @Nullable KeytabEditor editor) {
        this.writers = writers;
        this.authenticator = authenticator;
        this.editor = editor;
    }

    /** Every write refused with 403. */
    public static KeyWrites disabled() {
        return new KeyWrites(Set.of(), null, null);
    }

    /**
     * Writes to {@code config.keytab()} by the principals of {@code admin.key_writers}, authenticated by
     * {@code authenticator} (the gateway's acceptor); {@link #disabled()} when that list is empty.
     */
    public static KeyWrites of(GatewayConfig config, HttpAuthenticator authenticator) {
        if (config.admin().keyWriters().isEmpty()) {
            return disabled();
        }
        return new KeyWrites(new LinkedHashSet<>(config.admin().keyWriters()),
                Objects.requireNonNull(authenticator, "authenticator"),
                new KeytabEditor(config.keytab(), config.principals()));
    }

    boolean enabled() {
        return editor != null;
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
    Answer put(List<String> authorization, InetAddress peer, byte[] body) {
        Object who = authorize(authorization, peer, "PUT /keys");
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
    Answer delete(List<String> authorization, InetAddress peer, List<String> principals, List<String> belowKvnos) {
        Object who = authorize(authorization, peer, "DELETE /keys");
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
            log.info("DELETE /keys by {} from {}: {} kvnos {} removed from the keytab (accepted for the grace period)",
                    writer.principal(), peer.getHostAddress(), principals.get(0), removed);
            return answer(writer, 200, removed.isEmpty() ? "nothing to remove\n" : "removed " + principals.get(0)
                    + " kvnos " + removed + "\n");
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
    private Object authorize(List<String> authorization, InetAddress peer, String what) {
        if (editor == null || authenticator == null) {
            log.warn("{} from {} refused: {}", what, peer.getHostAddress(), DISABLED);
            return Answer.of(403, DISABLED);
        }
        if (authorization.isEmpty()) {
            return new Answer(401, "authenticate with Negotiate as one of admin.key_writers", "Negotiate");
        }
        if (authorization.size() > 1) {
            return Answer.of(400, "more than one Authorization header");
        }
        Acceptance verdict = authenticator.authenticate(authorization.get(0), peer);
        if (verdict instanceof Acceptance.Rejected rejected) {
            log.warn("{} from {} refused: authentication failed reason={} detail=\"{}\"", what, peer.getHostAddress(),
                    rejected.reason().tag(), rejected.detail());
            return new Answer(401, "authentication failed", "Negotiate");
        }
        Acceptance.Accepted accepted = (Acceptance.Accepted) verdict;
        if (!writers.contains(accepted.client())) {
            log.warn("{} from {} refused: {} is not in admin.key_writers", what, peer.getHostAddress(),
                    accepted.client());
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
