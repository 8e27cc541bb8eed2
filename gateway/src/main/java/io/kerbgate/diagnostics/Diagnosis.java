package io.kerbgate.diagnostics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.Kerbgate;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.RefusalHints;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.der.DerException;
import io.kerbgate.initiator.GssInitiator;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeyVersion;
import io.kerbgate.keys.KeytabEntry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.GSSException;
import org.jspecify.annotations.Nullable;

/**
 * {@code kerbgate diagnose}: checks a node step by step and says what to fix. The steps, in order: the config loads;
 * the keytab is there, readable and private; its principals, kvnos and enctypes; the clock (against the KDC's, which
 * the KDC tells anyone who asks, see {@link KdcProbe}); DNS forward and reverse for each acceptor host; the krb5.conf
 * in use and its realm's KDCs; and, given client credentials, a real service ticket from the KDC validated with this
 * node's keytab by the real acceptor ({@link SpnegoAcceptor}, throwaway replay cache) with mutual authentication
 * completed. That last step is the end-to-end proof after a key roll.
 *
 * <p>Every step runs that can: a config that fails on its keytab still gets the DNS, clock and KDC checks, from the
 * keytab path and principals read out of the raw YAML.
 */
public final class Diagnosis {
    private static final Pattern KVNO_OUTPUT = Pattern.compile("kvno = (\\d+)");
    private static final Set<Integer> DES = Set.of(1, 2, 3, 5, 7, 16);

    /**
     * What to diagnose.
     *
     * @param config       the gateway's config file
     * @param principal    the acceptor principal to check, or null for every configured (else every keytab) one
     * @param ccache       an MIT {@code FILE:} ccache with a TGT for the end-to-end check
     * @param clientKeytab a client keytab for the end-to-end check (with {@code client})
     * @param passwordFile a file whose first line is the client's password (with {@code client})
     * @param client       the client principal of the end-to-end check
     * @param krb5Conf     the krb5.conf to use; null for {@code KRB5_CONFIG}, else {@code /etc/krb5.conf}
     * @param timeout      network timeout per connection
     */
    public record Options(Path config, @Nullable String principal, @Nullable Path ccache, @Nullable Path clientKeytab,
            @Nullable Path passwordFile, @Nullable String client, @Nullable Path krb5Conf, Duration timeout) {
        public Options {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    private final Options options;
    private final Clock clock;
    private final Map<String, String> env;
    private final List<Check> checks = new ArrayList<>();

    // What the steps learn for the later ones.
    private @Nullable GatewayConfig config;
    private @Nullable Path keytab;
    private List<String> configuredPrincipals = List.of();
    private Duration skew = Duration.ofMinutes(5);
    private @Nullable KeySet keys;
    private List<String> principals = List.of();
    private @Nullable Krb5Config krb5;
    private @Nullable Path krb5File;

    private Diagnosis(Options options, Clock clock, Map<String, String> env) {
        this.options = options;
        this.clock = clock;
        this.env = env;
    }

    /** Runs every step and returns their checks in order. */
    public static List<Check> run(Options options, Clock clock, Map<String, String> env) {
        Diagnosis d = new Diagnosis(options, clock, env);
        d.checkConfig();
        d.checkKeytab();
        d.checkKeys();
        d.checkKrb5Conf();
        d.checkKdcsAndClock();
        d.checkDns();
        d.checkServiceTicket();
        return List.copyOf(d.checks);
    }

    private void add(Check check) {
        checks.add(check);
    }

    // ---- config ----

    private void checkConfig() {
        Path file = options.config();
        try {
            GatewayConfig c = ConfigLoader.load(file);
            config = c;
            keytab = c.keytabs().get(0);
            configuredPrincipals = c.principals();
            skew = c.clockSkew();
            add(Check.pass("config", file + " loads: listen " + c.listen().getHostString() + ":" + c.listen().getPort()
                    + ", admin " + c.admin().listen().getHostString() + ":" + c.admin().listen().getPort() + ", "
                    + (c.forwardAuth() == null ? c.backends().size() + " backend(s)" : "forward-auth")
                    + ", clock_skew " + TokenInspector.human(c.clockSkew())));
        } catch (ConfigException e) {
            add(Check.fail("config", e.key().isEmpty() ? e.problem() : "'" + e.key() + "': " + e.problem(), e.fix()));
            readRawYaml(file);
        }
    }

    /** After a failed load: the keytab path, principals and skew as written, so the other steps can still run. */
    private void readRawYaml(Path file) {
        try {
            JsonNode root = new YAMLMapper().readTree(Files.readString(file));
            if (root == null || !root.isObject()) {
                return;
            }
            JsonNode k = root.get("keytab");
            if (k != null && k.isTextual()) {
                Path dir = file.toAbsolutePath().getParent();
                keytab = dir.resolve(k.textValue()).normalize();
            }
            JsonNode p = root.get("principals");
            if (p != null && p.isArray()) {
                List<String> list = new ArrayList<>();
                p.forEach(n -> list.add(n.asText()));
                configuredPrincipals = list;
            }
        } catch (IOException | RuntimeException e) {
            // The config step already failed with the reason; the keytab step will say it has no path.
        }
    }

    // ---- keytab (the file) ----

    private void checkKeytab() {
        if (keytab == null) {
            add(Check.skip("keytab", "no keytab path (the config names none)"));
            return;
        }
        Path file = keytab;
        String owner = "";
        String mode = "";
        if (!Files.exists(file)) {
            add(Check.fail("keytab", file + " does not exist",
                    "copy the array's keytab there (MIT: kadmin.local -q \"ktadd -k " + file
                            + " -norandkey HTTP/<array host>\"; AD: msktutil or ktpass), then chown kerbgate "
                            + file + " && chmod 600 " + file));
            return;
        }
        try {
            PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class);
            owner = attrs.owner().getName() + ":" + attrs.group().getName();
            Set<PosixFilePermission> perms = attrs.permissions();
            mode = PosixFilePermissions.toString(perms);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)
                    || perms.contains(PosixFilePermission.GROUP_WRITE)) {
                add(Check.warn("keytab", file + " is " + mode + " (" + owner + "): readable beyond its owner, and"
                                + " whoever reads it can impersonate any user to this service",
                        "chown kerbgate " + file + " && chmod 600 " + file));
            }
        } catch (UnsupportedOperationException | IOException e) {
            mode = "(no POSIX permissions)";
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            add(Check.fail("keytab", file + " is not readable by " + System.getProperty("user.name") + " ("
                    + e.getClass().getSimpleName() + ")", "the service user must read it: chown kerbgate " + file
                    + " && chmod 600 " + file + " (and run diagnose as that user)"));
            return;
        }
        List<KeytabEntry> entries;
        try {
            entries = io.kerbgate.keys.KeytabFile.parse(bytes);
        } catch (io.kerbgate.keys.KeytabException e) {
            add(Check.fail("keytab", file + ": " + e.getMessage(),
                    "re-export the keytab; a copy cut short or a file of another format reads like this"));
            return;
        }
        add(Check.pass("keytab", file + ": " + entries.size() + " entries, " + bytes.length + " bytes, mode " + mode
                + (owner.isEmpty() ? "" : ", owner " + owner)));
        if ("root".equals(System.getProperty("user.name"))) {
            add(Check.info("keytab", "diagnose runs as root: the service user (kerbgate) must be able to read it too"));
        }
        try {
            keys = AcceptorKeys.keySet(entries, configuredPrincipals, clock);
        } catch (InspectionException e) {
            add(Check.fail("keys", e.getMessage(), "export the configured principals into the keytab, or correct"
                    + " principals: in the config"));
        }
    }

    // ---- keys (principals, kvnos, enctypes) ----

    private void checkKeys() {
        if (keys == null) {
            principals = options.principal() != null ? List.of(options.principal()) : configuredPrincipals;
            return;
        }
        KeySet k = keys;
        principals = options.principal() != null ? List.of(options.principal())
                : configuredPrincipals.isEmpty() ? List.copyOf(k.principals()) : configuredPrincipals;
        for (String principal : principals) {
            List<KeyVersion> versions = k.versions(principal);
            if (versions.isEmpty()) {
                add(Check.fail("keys", principal + " has no key in the keytab (it has "
                                + String.join(", ", k.principals()) + ")",
                        "export it: kadmin.local -q \"ktadd -k <keytab> -norandkey " + principal + "\""));
                continue;
            }
            String listing = versions.stream().map(v -> "kvno " + v.kvno() + " " + v.enctypes().stream()
                    .map(Enctype::describe).collect(Collectors.joining(","))).collect(Collectors.joining("; "));
            Set<Integer> all = new TreeSet<>();
            versions.forEach(v -> all.addAll(v.enctypes()));
            boolean usable = all.stream().anyMatch(e -> Enctype.fromId(e) != null
                    && (!Enctype.fromId(e).weak() || config != null && config.acceptor().allowRc4()));
            if (!usable) {
                add(Check.fail("keys", principal + ": " + listing + ": no enctype the acceptor accepts",
                        "give the account AES keys (aes256-cts-hmac-sha1-96 at least) and re-export the keytab"));
                continue;
            }
            add(Check.pass("keys", principal + ": " + listing));
            List<String> weak = all.stream().filter(e -> e == 23 || DES.contains(e)).map(Enctype::describe).toList();
            if (!weak.isEmpty()) {
                add(Check.warn("keys", principal + " has weak keys: " + String.join(", ", weak),
                        "remove them from the account (AD: msDS-SupportedEncryptionTypes = AES only; MIT: cpw -e"
                                + " with AES key/salt types) and re-export; RC4 is accepted only with"
                                + " acceptor.allow_rc4, DES never"));
            }
            List<String> unknown = all.stream().filter(e -> Enctype.fromId(e) == null && e != 23
                    && !DES.contains(e)).map(Enctype::describe).toList();
            if (!unknown.isEmpty()) {
                add(Check.warn("keys", principal + " has keys kerbgate cannot use: " + String.join(", ", unknown),
                        "harmless if clients get AES tickets; otherwise give the account AES keys"));
            }
            if (versions.size() == 1) {
                int kvno = versions.get(0).kvno();
                add(Check.warn("keys", principal + " has a single kvno (" + kvno + "): no rollover headroom",
                        "when the key is rolled, keep kvno " + kvno + " in the keytab next to the new one until"
                                + " tickets issued under it expire (ktadd appends; do not recreate the file), so"
                                + " clients holding old tickets do not get badkeyver"));
            }
        }
    }

    // ---- krb5.conf ----

    private void checkKrb5Conf() {
        List<Path> files = new ArrayList<>();
        String source;
        if (options.krb5Conf() != null) {
            files.add(options.krb5Conf());
            source = "--krb5-conf";
        } else if (env.get("KRB5_CONFIG") != null && !env.get("KRB5_CONFIG").isBlank()) {
            for (String f : env.get("KRB5_CONFIG").split(":")) {
                if (!f.isBlank()) {
                    files.add(Path.of(f));
                }
            }
            source = "KRB5_CONFIG";
        } else {
            files.add(Path.of("/etc/krb5.conf"));
            source = "default";
        }
        Krb5Config parsed;
        try {
            parsed = Krb5Config.read(files);
        } catch (IOException e) {
            add(Check.warn("krb5.conf", "cannot read " + files + ": " + e.getMessage(),
                    "make it readable; the gateway itself does not need it, but clients and this check do"));
            return;
        }
        if (parsed.files().isEmpty()) {
            add(Check.warn("krb5.conf", "none found (" + source + ": " + files + ")",
                    "the gateway validates offline and needs no krb5.conf, but the KDC and end-to-end checks do:"
                            + " pass --krb5-conf or set KRB5_CONFIG"));
            return;
        }
        krb5 = parsed;
        krb5File = parsed.files().get(0);
        Set<String> realms = realms();
        List<String> missing = realms.stream().filter(r -> !parsed.kdcs().containsKey(r)).toList();
        String lookup = parsed.libdefaults().getOrDefault("dns_lookup_kdc", "(default)");
        String message = parsed.files() + " (" + source + "), default_realm "
                + Objects.requireNonNullElse(parsed.defaultRealm(), "(unset)") + ", realms with kdc entries: "
                + parsed.kdcs().keySet();
        if (!missing.isEmpty()) {
            add(Check.warn("krb5.conf", message + "; no kdc entry for " + missing + " (dns_lookup_kdc " + lookup + ")",
                    "add [realms] " + missing.get(0) + " = { kdc = <kdc host> } so clients and diagnose find the KDC"));
        } else {
            add(Check.pass("krb5.conf", message));
        }
        String rdns = parsed.libdefaults().get("rdns");
        String canon = parsed.libdefaults().get("dns_canonicalize_hostname");
        if (rdns != null || canon != null) {
            add(Check.info("krb5.conf", "client name canonicalization: rdns " + Objects.requireNonNullElse(rdns,
                    "(default true)") + ", dns_canonicalize_hostname " + Objects.requireNonNullElse(canon,
                    "(default true)")));
        }
    }

    private Set<String> realms() {
        Set<String> realms = new LinkedHashSet<>();
        for (String p : principals) {
            int at = p.lastIndexOf('@');
            if (at > 0) {
                realms.add(p.substring(at + 1));
            }
        }
        return realms;
    }

    // ---- KDCs and the clock ----

    private void checkKdcsAndClock() {
        Instant now = clock.instant();
        String ntp = ntpStatus();
        Instant kdcTime = null;
        Duration rtt = null;
        String kdcName = null;
        if (krb5 != null) {
            for (String realm : realms()) {
                List<Krb5Config.Kdc> kdcs = krb5.kdcs().getOrDefault(realm, List.of());
                for (Krb5Config.Kdc kdc : kdcs) {
                    try {
                        KdcProbe.Answer answer = KdcProbe.ask(kdc.host(), kdc.port(), realm, clock.instant(),
                                options.timeout());
                        add(Check.pass("kdc", realm + " KDC " + kdc + " reachable over TCP and answers Kerberos ("
                                + (answer.errorCode() < 0 ? "AS-REP" : KdcProbe.errorName(answer.errorCode()))
                                + " to a probe, in " + answer.rtt().toMillis() + " ms)"));
                        if (kdcTime == null && answer.kdcTime() != null) {
                            kdcTime = answer.kdcTime();
                            rtt = answer.rtt();
                            kdcName = kdc.toString();
                            now = clock.instant();
                        }
                    } catch (IOException e) {
                        add(Check.warn("kdc", realm + " KDC " + kdc + " not reachable over TCP: " + e.getMessage(),
                                "the gateway validates offline and does not need the KDC, but clients do: check"
                                        + " the firewall (TCP and UDP 88) and the kdc entry in krb5.conf"));
                    } catch (DerException e) {
                        add(Check.warn("kdc", realm + " KDC " + kdc + " answered something that is not Kerberos: "
                                + e.getMessage(), "check the kdc entry's host and port in krb5.conf"));
                    }
                }
            }
        }
        String local = "local clock " + now + " (UTC)";
        if (kdcTime == null) {
            String message = local + "; no KDC answered to compare with; NTP: " + ntp;
            if (ntp.startsWith("not synchronized")) {
                add(Check.warn("clock", message, "enable NTP (timedatectl set-ntp true, or chrony) on every node"
                        + " and client: tickets are refused beyond clock_skew"));
            } else {
                add(Check.info("clock", message + " (check chronyc tracking or timedatectl timesync-status)"));
            }
            return;
        }
        // The KDC stamped its time somewhere within the round trip: compare with the middle of it.
        Duration offset = Duration.between(now.minus(rtt.dividedBy(2)), kdcTime);
        String message = local + ", KDC " + kdcName + " " + kdcTime + ": this node is "
                + String.format(Locale.ROOT, "%.1fs", Math.abs(offset.toMillis()) / 1000.0)
                + (offset.isNegative() ? " ahead of" : " behind") + " the KDC (clock_skew " + TokenInspector.human(skew)
                + "); NTP: " + ntp;
        if (offset.abs().compareTo(skew) > 0) {
            add(Check.fail("clock", message, "fix NTP on this node (and the KDC): every ticket is refused with"
                    + " 'skew' while the clocks differ more than clock_skew"));
        } else if (offset.abs().compareTo(skew.dividedBy(2)) > 0) {
            add(Check.warn("clock", message, "the offset uses over half of clock_skew: fix NTP before clients"
                    + " drifting the other way get refused"));
        } else {
            add(Check.pass("clock", message));
        }
    }

    /** {@code synchronized}, {@code not synchronized} or {@code unknown (...)} from timedatectl, if there is one. */
    private String ntpStatus() {
        Path timedatectl = Path.of("/usr/bin/timedatectl");
        if (!Files.isExecutable(timedatectl)) {
            return "unknown (no timedatectl)";
        }
        try {
            Process p = new ProcessBuilder(timedatectl.toString(), "show", "--property=NTPSynchronized", "--value")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown (timedatectl timed out)";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                return "unknown (timedatectl: no systemd here?)";
            }
            return out.equals("yes") ? "synchronized" : "not synchronized (timedatectl NTPSynchronized=" + out + ")";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    // ---- DNS ----

    private void checkDns() {
        Set<String> hosts = new LinkedHashSet<>();
        for (String p : principals) {
            String name = p.contains("@") ? p.substring(0, p.lastIndexOf('@')) : p;
            String[] parts = name.split("/");
            if (parts.length == 2 && parts[1].contains(".") || parts.length == 2 && parts[1].equals("localhost")) {
                hosts.add(parts[1]);
            }
        }
        if (hosts.isEmpty()) {
            add(Check.skip("dns", "no host-based acceptor principal (service/host@REALM) to look up"));
            return;
        }
        for (String host : hosts) {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                add(Check.warn("dns", host + " does not resolve from this node",
                        "clients must resolve " + host + " to the balancer's VIP (an A/AAAA record; a CNAME to a"
                                + " node's name makes canonicalizing clients ask for HTTP/<node>)"));
                continue;
            }
            List<String> forward = Arrays.stream(addresses).map(InetAddress::getHostAddress).toList();
            List<String> mismatched = new ArrayList<>();
            List<String> reverse = new ArrayList<>();
            for (InetAddress a : addresses) {
                String ptr = reverse(a);
                reverse.add(a.getHostAddress() + " -> " + (ptr == null ? "(no PTR)" : ptr));
                if (ptr != null && !sameHost(ptr, host)) {
                    mismatched.add(a.getHostAddress() + " -> " + ptr);
                }
            }
            String message = host + " -> " + String.join(", ", forward) + "; reverse: " + String.join(", ", reverse);
            if (!mismatched.isEmpty()) {
                add(Check.warn("dns", message,
                        "the reverse name differs (" + String.join(", ", mismatched) + "): MIT clients with rdns ="
                                + " true and Java/browsers that canonicalize will ask for HTTP/<that name>, which the"
                                + " keytab does not hold (unknown_service). Point the PTR at " + host + ", or set rdns"
                                + " = false and dns_canonicalize_hostname = false on clients, or add that SPN"));
            } else {
                add(Check.pass("dns", message));
            }
        }
    }

    private static @Nullable String reverse(InetAddress address) {
        try {
            String name = InetAddress.getByAddress(address.getAddress()).getCanonicalHostName();
            return name.equals(address.getHostAddress()) || name.contains(":") && !name.contains(".") ? null : name;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean sameHost(String a, String b) {
        return strip(a).equalsIgnoreCase(strip(b));
    }

    private static String strip(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    // ---- the end-to-end service ticket ----

    private void checkServiceTicket() {
        boolean hasCredentials = options.ccache() != null || options.clientKeytab() != null
                || options.passwordFile() != null;
        if (!hasCredentials) {
            add(Check.skip("ticket", "no client credentials: pass --ccache FILE, or --client P with --client-keytab"
                    + " FILE or --password-file FILE, to validate a real service ticket with this keytab"));
            return;
        }
        if (keys == null) {
            add(Check.skip("ticket", "no usable keytab to validate with (see above)"));
            return;
        }
        if (options.ccache() == null && options.client() == null) {
            add(Check.fail("ticket", "--client-keytab and --password-file need --client PRINCIPAL",
                    "add --client alice@EXAMPLE.COM"));
            return;
        }
        if (krb5File != null) {
            // The JDK's Kerberos reads this property; each login re-reads the file (refreshKrb5Config).
            System.setProperty("java.security.krb5.conf", krb5File.toString());
        }
        GssInitiator login;
        try {
            login = login();
        } catch (LoginException | IOException e) {
            add(Check.fail("ticket", "cannot log in " + describeCredentials() + ": " + e.getMessage(),
                    "check the credentials (klist -c <ccache>: is the TGT expired?), the client principal, and that"
                            + " a KDC of its realm is reachable (see the kdc step)"));
            return;
        }
        for (String principal : principals) {
            serviceTicket(login, principal);
        }
    }

    private GssInitiator login() throws LoginException, IOException {
        if (options.ccache() != null) {
            String path = options.ccache().toString();
            return GssInitiator.withCcache(options.client(), Path.of(path.startsWith("FILE:") ? path.substring(5) : path));
        }
        if (options.clientKeytab() != null) {
            return GssInitiator.withKeytab(options.client(), options.clientKeytab());
        }
        String password = Files.readAllLines(options.passwordFile(), StandardCharsets.UTF_8).stream().findFirst()
                .orElse("");
        return GssInitiator.withPassword(options.client(), password.toCharArray());
    }

    private String describeCredentials() {
        if (options.ccache() != null) {
            return "from ccache " + options.ccache();
        }
        return options.client() + (options.clientKeytab() != null ? " with keytab " + options.clientKeytab()
                : " with the password in " + options.passwordFile());
    }

    private void serviceTicket(GssInitiator login, String principal) {
        Negotiation context;
        try {
            context = login.negotiate(principal, GssMech.SPNEGO, true);
        } catch (GSSException e) {
            add(Check.fail("ticket", "the KDC gave no service ticket for " + principal + ": " + e.getMessage(),
                    "check that " + principal + " exists on the KDC (kadmin getprinc / setspn -Q) and that the"
                            + " client's realm can reach it"));
            return;
        }
        String kdcKvno = mitKvno(principal);
        try {
            AcceptorPolicy policy = config != null ? Kerbgate.acceptorPolicy(config, Instant.EPOCH)
                    : AcceptorPolicy.defaults(Instant.EPOCH);
            KeySet k = keys;
            SpnegoAcceptor acceptor = SpnegoAcceptor.forTools(k, policy, clock);
            Acceptance verdict = acceptor.authenticate(context.headerValue(), InetAddress.getLoopbackAddress());
            if (verdict instanceof Acceptance.Accepted ok) {
                boolean mutual;
                String mutualNote;
                try {
                    mutual = ok.responseToken() != null && context.complete(ok.responseToken());
                    mutualNote = mutual ? "mutual authentication completed" : "mutual authentication NOT completed";
                } catch (GSSException e) {
                    mutual = false;
                    mutualNote = "the client refused the gateway's AP-REP: " + e.getMessage();
                }
                String message = "KDC ticket for " + ok.service() + " (kvno " + ok.kvno() + ", "
                        + Enctype.describe(ok.enctype()) + ") validated with this keytab for " + ok.client()
                        + "; " + mutualNote + kdcKvno;
                add(mutual ? Check.pass("ticket", message) : Check.fail("ticket", message,
                        "the client could not verify the AP-REP: report this as a kerbgate bug with the output of"
                                + " token-inspect"));
            } else if (verdict instanceof Acceptance.Rejected no) {
                String seen = no.facts().sname() == null ? "" : " (ticket for " + no.facts().sname() + " kvno "
                        + no.facts().kvno() + " " + Enctype.describe(no.facts().enctype()) + ")";
                add(Check.fail("ticket", "this keytab refuses a fresh KDC ticket" + seen + ": " + no.reason().tag()
                        + ": " + no.detail() + kdcKvno, RefusalHints.hint(no.reason(), no.facts(), k)));
            }
        } finally {
            context.dispose();
        }
    }

    /** With a ccache and MIT's kvno tool: {@code "; KDC's current kvno N (kvno)"}, or "". */
    private String mitKvno(String principal) {
        Path kvno = Path.of("/usr/bin/kvno");
        if (options.ccache() == null || !Files.isExecutable(kvno)) {
            return "";
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(kvno.toString(), "-c", options.ccache().toString(), principal)
                    .redirectErrorStream(true);
            if (krb5File != null) {
                pb.environment().put("KRB5_CONFIG", krb5File.toString());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(options.timeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "; MIT kvno timed out";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = KVNO_OUTPUT.matcher(out);
            return m.find() ? "; KDC's current kvno " + m.group(1) + " (MIT kvno)" : "; MIT kvno: " + out.strip();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
