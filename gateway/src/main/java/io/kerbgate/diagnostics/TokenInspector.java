package io.kerbgate.diagnostics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.NegotiateHeader;
import io.kerbgate.acceptor.PacPolicy;
import io.kerbgate.acceptor.Refusal;
import io.kerbgate.acceptor.RefusalHints;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.acceptor.SpnegoInspection;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.IntegrityException;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.Lookup;
import io.kerbgate.messages.ApReq;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.HostAddress;
import io.kerbgate.messages.Ticket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Explains one {@code Authorization: Negotiate} token offline, as a tree of facts ({@link ObjectNode}, so the CLI can
 * print it as JSON or as text with {@link ReportText}).
 *
 * <p>Without keys it reads only what travels in clear: the framing and SPNEGO fields ({@link SpnegoInspection}), the
 * AP-REQ's options, and the ticket's realm, sname, kvno and enctype. With the keytab's {@link KeySet} it decrypts
 * the ticket and the authenticator with the key the acceptor would pick, shows what they hold, and then runs the
 * acceptor itself ({@link SpnegoAcceptor}) on the token for its verdict. That run has its own empty replay cache
 * and no ticket cache, so inspecting a token never marks it as seen anywhere, and the restart guard is off (the
 * inspector's "node" has seen nothing, and says so).
 *
 * <p>Top-level keys of the report: {@code input}, {@code framing}, {@code spnego} or {@code ntlm}, {@code krb5},
 * {@code decrypted}, {@code verdict}, {@code problems}.
 */
public final class TokenInspector {

    private static final int USAGE_TICKET = 2;
    private static final int USAGE_AUTHENTICATOR_CKSUM = 10;
    private static final int USAGE_AUTHENTICATOR = 11;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * What the inspection runs with.
     *
     * @param keys   the acceptor's keys, or {@code null} to read the clear parts only
     * @param policy the acceptor policy of the verdict (skew, RC4, realms); its {@code startedAt} is ignored
     * @param peer   the client address for the ticket-address check, or {@code null} to assume the ticket's own
     * @param clock  "now" for the skew, the ticket times and the verdict
     */
    public record Settings(@Nullable KeySet keys, AcceptorPolicy policy, @Nullable InetAddress peer, Clock clock) {
        public Settings {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(clock, "clock");
        }

        /** Clear parts only, default policy. */
        public static Settings withoutKeys(Clock clock) {
            return new Settings(null, AcceptorPolicy.defaults(Instant.EPOCH), null, clock);
        }
    }

    private TokenInspector() {}

    /**
     * Inspects a token given as a header value ({@code Negotiate YII...}, {@code NTLM TlR...}), a whole header line
     * ({@code Authorization: Negotiate ...}) or bare base64; line breaks and spaces inside the base64 are ignored.
     *
     * @throws InspectionException when the input is empty, not base64, or not a token at all
     */
    public static ObjectNode inspect(String input, Settings settings) throws InspectionException {
        Objects.requireNonNull(input, "input");
        Input in = Input.parse(input);
        ObjectNode report = JSON.objectNode();
        ArrayNode problems = JSON.arrayNode();
        ObjectNode inputNode = report.putObject("input");
        inputNode.put("scheme", in.scheme == null ? "(none: bare base64)" : in.scheme);
        inputNode.put("base64_chars", in.base64.length());
        inputNode.put("bytes", in.token.length);
        inputNode.put("gateway_header_check", headerCheck(in, settings.policy().maxTokenBytes()));

        SpnegoInspection spnego;
        try {
            spnego = SpnegoInspection.inspect(in.token);
        } catch (DerException e) {
            throw new InspectionException("not a Negotiate token: " + e.getMessage(), e);
        }
        report.put("framing", spnego.framing().label());
        describeFraming(spnego, report);
        spnego.problems().forEach(problems::add);

        ApReq apReq = null;
        if (spnego.apReq() != null) {
            try {
                apReq = ApReq.decode(spnego.apReq());
            } catch (DerException e) {
                problems.add("AP-REQ does not decode: " + e.getMessage());
            }
        }
        if (apReq != null) {
            describeApReq(apReq, report.putObject("krb5"));
            if (settings.keys() != null) {
                InetAddress assumedPeer = decrypt(apReq, settings, report.putObject("decrypted"), problems);
                verdict(in, settings, assumedPeer, report.putObject("verdict"));
            } else {
                report.put("decrypted", "not attempted: pass --keytab to decrypt and to get the acceptor's verdict");
            }
        }
        if (!problems.isEmpty()) {
            report.set("problems", problems);
        }
        return report;
    }

    /** What the gateway's strict header reader says about the input as it was given. */
    private static String headerCheck(Input in, int maxTokenBytes) {
        String scheme = in.scheme == null ? "Negotiate" : in.scheme;
        try {
            NegotiateHeader.decode(scheme + " " + in.base64, maxTokenBytes);
            return "ok";
        } catch (Refusal r) {
            return "refused (" + r.reason().tag() + "): " + r.detail();
        }
    }

    private static void describeFraming(SpnegoInspection s, ObjectNode report) {
        if (s.ntlmMessageType() != 0 && s.framing() == SpnegoInspection.Framing.NTLMSSP) {
            ntlm(s, report);
            return;
        }
        if (s.framing() == SpnegoInspection.Framing.SPNEGO_INIT) {
            ObjectNode node = report.putObject("spnego");
            ArrayNode mechs = node.putArray("mechs");
            for (SpnegoInspection.Mech m : s.mechs()) {
                mechs.addObject().put("name", m.name()).put("oid", m.oid());
            }
            node.put("krb5_first", s.krb5First());
            if (s.reqFlags() < 0) {
                node.put("req_flags", "absent");
            } else {
                ArrayNode flags = node.putArray("req_flags");
                SpnegoInspection.reqFlagNames(s.reqFlags()).forEach(flags::add);
            }
            node.put("mech_token", s.mechTokenLength() < 0 ? "absent" : s.mechTokenLength() + " bytes");
            node.put("mech_list_mic", s.mechListMic());
            if (s.hintName() != null) {
                node.put("neg_hints_name", s.hintName());
            }
        } else if (s.framing() == SpnegoInspection.Framing.SPNEGO_RESP) {
            ObjectNode node = report.putObject("spnego");
            node.put("neg_state", s.negState() < 0 ? "absent" : SpnegoInspection.negStateName(s.negState()));
            node.put("supported_mech", s.supportedMech() == null ? "absent" : s.supportedMech().toString());
            node.put("response_token", s.mechTokenLength() < 0 ? "absent" : s.mechTokenLength() + " bytes");
            node.put("mech_list_mic", s.mechListMic());
        }
        if (s.ntlmMessageType() != 0) {
            ntlm(s, report);
        }
        if (s.innerMech() != null) {
            ObjectNode inner = report.putObject("inner_token");
            inner.put("mech", s.innerMech().toString());
            if (s.krb5TokId() >= 0) {
                inner.put("tok_id", String.format("0x%04x (%s)", s.krb5TokId(), SpnegoInspection.tokIdName(s.krb5TokId())));
            }
        }
    }

    private static void ntlm(SpnegoInspection s, ObjectNode report) {
        ObjectNode node = report.putObject("ntlm");
        node.put("message_type", s.ntlmMessageType());
        node.put("message", SpnegoInspection.ntlmMessageName(s.ntlmMessageType()));
        node.put("note", "the gateway refuses NTLM; the client had no Kerberos ticket for this host");
    }

    private static void describeApReq(ApReq req, ObjectNode node) {
        node.put("pvno", req.pvno());
        node.put("msg_type", req.msgType());
        ArrayNode options = node.putArray("ap_options");
        KerberosNames.apOptions(req.apOptions()).forEach(options::add);
        Ticket ticket = req.ticket();
        ObjectNode t = node.putObject("ticket");
        t.put("realm", ticket.realm());
        t.put("sname", ticket.servicePrincipal());
        t.put("sname_type", ticket.sname().nameType());
        EncryptedData enc = ticket.encPart();
        t.put("kvno", enc.kvno() == EncryptedData.NO_KVNO ? "absent" : Long.toString(enc.kvno()));
        t.put("enctype", enctype(enc.etype()));
        t.put("cipher_bytes", enc.cipher().length);
        ObjectNode a = node.putObject("authenticator");
        a.put("enctype", enctype(req.authenticator().etype()));
        a.put("cipher_bytes", req.authenticator().cipher().length);
    }

    /**
     * Decrypts ticket and authenticator into {@code node}.
     *
     * @return the peer address the verdict should assume: the given one, else the ticket's first address, else null
     */
    private static @Nullable InetAddress decrypt(ApReq req, Settings settings, ObjectNode node, ArrayNode problems) {
        Ticket ticket = req.ticket();
        EncryptedData enc = ticket.encPart();
        String sname = ticket.servicePrincipal();
        int kvno = enc.kvno() == EncryptedData.NO_KVNO ? KeySet.NO_KVNO
                : enc.kvno() > Integer.MAX_VALUE ? Integer.MIN_VALUE : (int) enc.kvno();
        Lookup lookup = settings.keys().find(sname, kvno, enc.etype());
        if (!(lookup instanceof Lookup.Found found) || found.key() == null) {
            node.put("error", "no usable key: " + describeMiss(lookup, settings.keys(), sname));
            return settings.peer();
        }
        node.put("key", sname + " kvno " + found.kvno() + " " + found.key().enctype().kerberosName());
        EncTicketPart part;
        try {
            part = EncTicketPart.decode(KerberosCrypto.decrypt(found.key(), USAGE_TICKET, enc.cipher()));
        } catch (IntegrityException e) {
            node.put("error", "the ticket does not decrypt with the keytab's key for kvno " + found.kvno()
                    + ": the keytab holds another key under that kvno");
            return settings.peer();
        } catch (DerException e) {
            node.put("error", "the decrypted ticket does not decode: " + e.getMessage());
            return settings.peer();
        }
        Instant now = settings.clock().instant();
        ObjectNode t = node.putObject("ticket");
        t.put("client", part.client());
        ArrayNode flags = t.putArray("flags");
        KerberosNames.ticketFlags(part.flags()).forEach(flags::add);
        t.put("session_key", enctype(part.key().keytype()));
        t.put("authtime", part.authtime().toString());
        t.put("starttime", part.starttime() == null ? "absent (authtime)" : part.starttime().toString());
        t.put("endtime", part.endtime().toString() + (now.isAfter(part.endtime()) ? " (expired)"
                : " (" + human(Duration.between(now, part.endtime())) + " left)"));
        t.put("renew_till", part.renewTill() == null ? "absent" : part.renewTill().toString());
        ArrayNode addresses = t.putArray("addresses");
        for (HostAddress a : part.caddr()) {
            addresses.add(address(a));
        }
        ObjectNode transited = t.putObject("transited");
        transited.put("type", part.transitedType());
        transited.put("contents", part.transitedContents().length == 0 ? "(empty: same realm)"
                : new String(part.transitedContents(), java.nio.charset.StandardCharsets.UTF_8));
        t.set("authorization_data", authorizationData(part.authorizationData(), problems));

        InetAddress peer = settings.peer();
        if (peer == null && !part.caddr().isEmpty()) {
            peer = toInet(part.caddr().get(0));
            node.put("peer_assumed", peer == null ? "none" : peer.getHostAddress()
                    + " (the ticket's first address; pass --peer to check the real one)");
        }

        Enctype sessionEtype = Enctype.fromId(part.key().keytype());
        if (sessionEtype == null || part.key().keyvalue().length != sessionEtype.keyLength()) {
            node.put("authenticator", "not decrypted: session key of " + Enctype.describe(part.key().keytype()));
            return peer;
        }
        KerberosKey sessionKey = new KerberosKey(sessionEtype, part.key().keyvalue());
        Authenticator auth;
        try {
            auth = Authenticator.decode(KerberosCrypto.decrypt(sessionKey, USAGE_AUTHENTICATOR,
                    req.authenticator().cipher()));
        } catch (IntegrityException e) {
            node.put("authenticator", "does not decrypt with the ticket's session key (not made with this ticket)");
            return peer;
        } catch (DerException e) {
            node.put("authenticator", "does not decode: " + e.getMessage());
            return peer;
        }
        ObjectNode a = node.putObject("authenticator");
        a.put("client", auth.cname().withRealm(auth.crealm()));
        a.put("ctime", auth.ctime().toString());
        a.put("cusec", auth.cusec());
        Duration skew = Duration.between(now, auth.clientTime());
        a.put("skew_vs_now", describeSkew(skew, settings.policy().clockSkew()));
        a.put("skew_seconds", skew.toMillis() / 1000.0);
        a.put("subkey", auth.subkey() == null ? "absent" : enctype(auth.subkey().keytype()));
        a.put("seq_number", auth.seqNumber() < 0 ? "absent" : Long.toString(auth.seqNumber()));
        a.set("checksum", checksum(auth.cksum(), sessionKey));
        if (auth.authorizationData() != null) {
            a.set("authorization_data", authorizationData(auth.authorizationData(), problems));
        }
        return peer;
    }

    private static ObjectNode checksum(@Nullable Checksum c, KerberosKey sessionKey) {
        ObjectNode node = JSON.objectNode();
        if (c == null) {
            node.put("type", "absent");
            return node;
        }
        node.put("type", KerberosNames.checksumType(c.cksumtype()));
        if (c.cksumtype() != Checksum.GSS_API) {
            boolean ok;
            try {
                ok = KerberosCrypto.verifyChecksum(sessionKey, USAGE_AUTHENTICATOR_CKSUM, c.cksumtype(), new byte[0],
                        c.checksum());
            } catch (RuntimeException e) {
                ok = false;
            }
            node.put("verifies", ok);
            return node;
        }
        // RFC 4121 §4.1.1: Lgth(4, LE) = 16 | Bnd(16) | Flags(4, LE) [| DlgOpt(2) | Dlgth(2) | Deleg] [| Exts].
        byte[] v = c.checksum();
        node.put("bytes", v.length);
        if (v.length < 24) {
            node.put("error", "shorter than 24 bytes");
            return node;
        }
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        int lgth = b.getInt(0);
        byte[] bnd = Arrays.copyOfRange(v, 4, 20);
        int flags = b.getInt(20);
        if (lgth != 16) {
            node.put("error", "binding length " + lgth + " (must be 16)");
        }
        ArrayNode names = node.putArray("flags");
        KerberosNames.gssFlags(flags).forEach(names::add);
        node.put("channel_bindings", Arrays.equals(bnd, new byte[16]) ? "absent (all zero)"
                : "present, MD5 " + HexFormat.of().formatHex(bnd) + " (kerbgate does not check them yet)");
        int rest = 24;
        if ((flags & 1) != 0 && v.length >= 28) {
            int dlgth = Short.toUnsignedInt(b.getShort(26));
            node.put("delegation", "KRB-CRED of " + dlgth + " bytes (DlgOpt " + Short.toUnsignedInt(b.getShort(24))
                    + "); the gateway drops delegated credentials");
            rest = 28 + dlgth;
        }
        if (v.length > rest) {
            node.put("extensions_bytes", v.length - rest);
        }
        return node;
    }

    private static ArrayNode authorizationData(AuthorizationData ad, ArrayNode problems) {
        ArrayNode out = JSON.arrayNode();
        for (AuthorizationData.Entry e : ad.entries()) {
            if (e.adType() != AuthorizationData.AD_IF_RELEVANT) {
                out.add(KerberosNames.adType(e.adType()) + " (" + e.adData().length + " bytes)");
                continue;
            }
            // RFC 4120 §5.2.6.1: AD-IF-RELEVANT wraps another AuthorizationData; the PAC lives inside it.
            try {
                AuthorizationData inner = AuthorizationData.decode(DerReader.of(e.adData()));
                List<String> types = inner.entries().stream()
                        .map(i -> KerberosNames.adType(i.adType()) + " (" + i.adData().length + " bytes)").toList();
                out.add("AD-IF-RELEVANT [" + String.join(", ", types) + "]");
            } catch (DerException ex) {
                out.add("AD-IF-RELEVANT (" + e.adData().length + " bytes, contents do not decode)");
                problems.add("AD-IF-RELEVANT contents do not decode: " + ex.getMessage());
            }
        }
        return out;
    }

    private static void verdict(Input in, Settings settings, @Nullable InetAddress peer, ObjectNode node) {
        AcceptorPolicy p = settings.policy();
        // startedAt at the epoch switches the restart guard off: this throwaway cache has no previous run to cover.
        AcceptorPolicy policy = new AcceptorPolicy(p.clockSkew(), p.allowRc4(), p.allowedClientRealms(), Instant.EPOCH,
                PacPolicy.OFF, p.maxTokenBytes());
        SpnegoAcceptor acceptor = SpnegoAcceptor.forTools(settings.keys(), policy, settings.clock());
        InetAddress address = peer != null ? peer : InetAddress.getLoopbackAddress();
        Acceptance acceptance = acceptor.authenticate("Negotiate " + Base64.getEncoder().encodeToString(in.token),
                address);
        if (acceptance instanceof Acceptance.Accepted ok) {
            node.put("result", "accepted");
            node.put("client", ok.client());
            node.put("service", ok.service());
            node.put("kvno", ok.kvno());
            node.put("enctype", enctype(ok.enctype()));
            node.put("mutual_auth_reply", ok.responseToken() != null);
        } else if (acceptance instanceof Acceptance.Rejected no) {
            node.put("result", "rejected");
            node.put("reason", no.reason().tag());
            if (no.reason().krbErrorCode() != 0) {
                node.put("krb_error", no.reason().krbErrorCode());
            }
            node.put("detail", no.detail());
            node.put("fix", RefusalHints.hint(no.reason(), no.facts(),
                    settings.keys() == null ? KeySet.EMPTY : settings.keys()));
        }
        node.put("peer", address.getHostAddress());
        node.put("note", "throwaway replay cache: this inspection did not mark the token as seen anywhere");
    }

    private static String describeMiss(Lookup lookup, KeySet keys, String sname) {
        if (lookup instanceof Lookup.NoPrincipal) {
            return "the keytab has no key for " + sname + " (it has " + String.join(", ", keys.principals()) + ")";
        }
        if (lookup instanceof Lookup.NoKvno n) {
            return "the keytab has kvnos " + Arrays.toString(n.kvnosPresent()) + " for " + sname
                    + ", not the ticket's (badkeyver: stale keytab or stale ticket)";
        }
        if (lookup instanceof Lookup.NoEnctype n) {
            return "the keytab has enctypes " + Arrays.stream(n.enctypesPresent()).mapToObj(Enctype::describe).toList()
                    + " for that kvno, not the ticket's";
        }
        return "the keytab's key for this enctype is unusable (unknown enctype or wrong length)";
    }

    static String enctype(int id) {
        return Enctype.describe(id) + " (" + id + ")";
    }

    private static String address(HostAddress a) {
        InetAddress inet = toInet(a);
        return KerberosNames.addressType(a.addrType()) + " "
                + (inet != null ? inet.getHostAddress() : HexFormat.of().formatHex(a.address()));
    }

    private static @Nullable InetAddress toInet(HostAddress a) {
        if ((a.addrType() == HostAddress.IPV4 && a.address().length == 4)
                || (a.addrType() == HostAddress.IPV6 && a.address().length == 16)) {
            try {
                return InetAddress.getByAddress(a.address());
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    static String describeSkew(Duration clientMinusNow, Duration allowed) {
        String amount = String.format(Locale.ROOT, "%.1fs", Math.abs(clientMinusNow.toMillis()) / 1000.0);
        String side = clientMinusNow.isNegative() ? "behind" : "ahead of";
        String within = clientMinusNow.abs().compareTo(allowed) <= 0 ? "within" : "OUTSIDE";
        return "client clock " + amount + " " + side + " this machine's (" + within + " clock_skew "
                + human(allowed) + ")";
    }

    static String human(Duration d) {
        long s = d.abs().toSeconds();
        if (s >= 3600) {
            return (s / 3600) + "h" + (s % 3600 / 60) + "m";
        }
        if (s >= 60) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        return s + "s";
    }

    /** The input split into scheme and base64, and the decoded token. */
    private record Input(@Nullable String scheme, String base64, byte[] token) {
        static Input parse(String raw) throws InspectionException {
            String s = raw.strip();
            if (s.regionMatches(true, 0, "Authorization:", 0, "Authorization:".length())) {
                s = s.substring("Authorization:".length()).strip();
            }
            String scheme = null;
            int space = indexOfWhitespace(s);
            if (space > 0) {
                String word = s.substring(0, space);
                if (word.equalsIgnoreCase("Negotiate") || word.equalsIgnoreCase("NTLM")
                        || word.equalsIgnoreCase("Kerberos")) {
                    scheme = word;
                    s = s.substring(space).strip();
                }
            } else if (s.equalsIgnoreCase("Negotiate") || s.equalsIgnoreCase("NTLM")) {
                throw new InspectionException(s + " without a token: that is the server's challenge, or a client"
                        + " that had no credentials; paste the value of a request's Authorization header");
            }
            String base64 = s.replaceAll("\\s+", "");
            if (base64.isEmpty()) {
                throw new InspectionException("no token given: pass the base64 token, \"Negotiate <base64>\" or -"
                        + " to read it from standard input");
            }
            byte[] token;
            try {
                token = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                try {
                    token = Base64.getUrlDecoder().decode(base64);
                } catch (IllegalArgumentException e2) {
                    throw new InspectionException("not base64: " + e.getMessage());
                }
            }
            if (token.length == 0) {
                throw new InspectionException("the token decodes to nothing");
            }
            return new Input(scheme, base64, token);
        }

        private static int indexOfWhitespace(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (Character.isWhitespace(s.charAt(i))) {
                    return i;
                }
            }
            return -1;
        }
    }
}
