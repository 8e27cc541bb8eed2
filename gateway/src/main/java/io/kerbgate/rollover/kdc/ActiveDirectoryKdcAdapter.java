package io.kerbgate.rollover.kdc;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.initiator.GssInitiator;
import io.kerbgate.ldap.LdapTls;
import io.kerbgate.rollover.ArrayConfig;
import io.kerbgate.rollover.KdcAdapter;
import io.kerbgate.rollover.KdcException;
import io.kerbgate.rollover.NewKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.NoPermissionException;
import javax.naming.PartialResultException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.BasicAttribute;
import javax.naming.directory.BasicAttributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.ModificationItem;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.StartTlsRequest;
import javax.naming.ldap.StartTlsResponse;
import javax.net.ssl.SSLSocketFactory;
import javax.security.auth.Subject;
import javax.security.auth.login.LoginException;
import org.jspecify.annotations.Nullable;

/**
 * Active Directory (and Samba AD) as the rollover's KDC, over LDAP with the JDK's JNDI: the array's key is the
 * password of an alternate service account (ASA), a user ({@code asa-array}) or computer ({@code ASA-ARRAY$}) account
 * whose {@code servicePrincipalName}s include the array's SPN.
 *
 * <ul>
 *   <li>kvno: {@code msDS-KeyVersionNumber}; setting the password makes it n + 1, which {@link #commit} reads back;
 *   <li>salt, as AD derives keys from a password: user accounts {@code REALM} + sAMAccountName (case as stored),
 *       computer accounts {@code REALM} + {@code host} + lower-case name without {@code $} + {@code .} + lower-case
 *       DNS domain;
 *   <li>commit: an LDAP modify replacing {@code unicodePwd} with the quoted UTF-16LE password; AD accepts that only
 *       over a protected connection: LDAPS, StartTLS, or a GSSAPI bind with sealing ({@code auth-conf});
 *   <li>aliases: the keys go to the nodes under every SPN of the account and its own name, as {@code ktpass} and
 *       {@code msktutil} write them, since a client may ask for any of them.
 * </ul>
 *
 * The password exists only in memory here: no process is started, nothing is logged, and exceptions carry LDAP's
 * messages, which never echo a value.
 */
public final class ActiveDirectoryKdcAdapter implements KdcAdapter {

    private static final int UF_ACCOUNTDISABLE = 0x2;
    private static final int UF_NORMAL_ACCOUNT = 0x200;
    private static final int UF_WORKSTATION_TRUST_ACCOUNT = 0x1000;
    private static final int UF_DONT_EXPIRE_PASSWD = 0x10000;
    private static final String[] ATTRIBUTES = {"sAMAccountName", "objectClass", "servicePrincipalName",
            "msDS-KeyVersionNumber", "pwdLastSet", "msDS-SupportedEncryptionTypes"};
    // 100-ns intervals between 1601-01-01 (FILETIME) and 1970-01-01.
    private static final long FILETIME_EPOCH = 116_444_736_000_000_000L;

    private final ArrayConfig.AdKdc config;
    private final String realm;
    private final List<Enctype> enctypes;

    ActiveDirectoryKdcAdapter(ArrayConfig.AdKdc config, String realm, List<Enctype> enctypes) {
        this.config = config;
        this.realm = realm;
        this.enctypes = List.copyOf(enctypes);
    }

    /** The adapter an array file's {@code kdc: {type: ad, ...}} asks for. */
    public static ActiveDirectoryKdcAdapter create(ArrayConfig.AdKdc config, String realm, List<Enctype> enctypes) {
        return new ActiveDirectoryKdcAdapter(config, realm, enctypes);
    }

    /** One ASA account as LDAP shows it. */
    record Account(String dn, String samAccountName, boolean computer, List<String> spns, int kvno,
            @Nullable Long pwdLastSet, int supportedEnctypes) {}

    @Override
    public String describe() {
        return "active directory " + config.ldap() + " account " + config.account();
    }

    @Override
    public boolean exists(String principal) throws KdcException {
        return withLdap(ctx -> find(ctx) != null);
    }

    @Override
    public int currentKvno(String principal) throws KdcException {
        Account a = account();
        requireSpn(a, principal);
        return a.kvno();
    }

    @Override
    public String salt(String principal) throws KdcException {
        supportedEnctypeBits();
        Account a = withLdap(this::find);
        // An account keys init is about to create gets the name exactly as configured.
        return salt(a != null ? a : new Account("", config.account(), config.computer(), List.of(), 0, null, 0), realm);
    }

    /** AD's salt for the account's password-derived keys (MS-KILE §3.1.1.2). */
    static String salt(Account a, String realm) {
        if (!a.computer()) {
            return realm + a.samAccountName();
        }
        String name = a.samAccountName().substring(0, a.samAccountName().length() - 1).toLowerCase(Locale.ROOT);
        return realm + "host" + name + "." + realm.toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean needsPassword() {
        return true;
    }

    /** AD counts the account's creation as version 1 and its first password as 2. */
    @Override
    public int firstKvno() {
        return 2;
    }

    @Override
    public void create(String principal, NewKey key) throws KdcException {
        int bits = supportedEnctypeBits();
        String spn = spn(principal);
        byte[] password = unicodePwd(key);
        try {
            withLdap(ctx -> {
                String base = config.container() != null ? config.container()
                        : (config.computer() ? "CN=Computers," : "CN=Users,") + namingContext(ctx);
                String cn = config.computer() ? config.account().substring(0, config.account().length() - 1)
                        : config.account();
                Attributes attrs = new BasicAttributes(true);
                BasicAttribute objectClass = new BasicAttribute("objectClass", "top");
                objectClass.add("person");
                objectClass.add("organizationalPerson");
                objectClass.add("user");
                if (config.computer()) {
                    objectClass.add("computer");
                }
                attrs.put(objectClass);
                int uac = (config.computer() ? UF_WORKSTATION_TRUST_ACCOUNT : UF_NORMAL_ACCOUNT)
                        | UF_DONT_EXPIRE_PASSWD;
                attrs.put("sAMAccountName", config.account());
                attrs.put("servicePrincipalName", spn);
                attrs.put("userAccountControl", Integer.toString(uac | UF_ACCOUNTDISABLE));
                attrs.put("msDS-SupportedEncryptionTypes", Integer.toString(bits));
                String dn = "CN=" + escapeRdn(cn) + "," + base;
                try {
                    // Created disabled without a password (kvno 1), then the password and enabled in one modify
                    // (kvno 2), as Windows' own tools do: the kvno is then the same on AD and Samba.
                    ctx.createSubcontext(dn, attrs).close();
                    ctx.modifyAttributes(dn, new ModificationItem[] {
                            new ModificationItem(DirContext.REPLACE_ATTRIBUTE, new BasicAttribute("unicodePwd", password)),
                            new ModificationItem(DirContext.REPLACE_ATTRIBUTE,
                                    new BasicAttribute("userAccountControl", Integer.toString(uac)))});
                } catch (NoPermissionException e) {
                    throw new KdcException(describe() + ": the bind identity may not create " + config.account()
                            + " (" + e.getMessage() + "). Have a domain admin create it:\n" + manualCommands(spn)
                            + "\nthen run kerbgate keys init again: it finds the account and sets its first key", e);
                }
                return null;
            });
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        checkKvno(key.kvno());
    }

    @Override
    public void commit(String principal, NewKey key) throws KdcException {
        supportedEnctypeBits();
        byte[] password = unicodePwd(key);
        try {
            withLdap(ctx -> {
                Account a = require(ctx);
                requireSpn(a, principal);
                if (a.kvno() != key.kvno() - 1) {
                    throw new KdcException(describe() + ": msDS-KeyVersionNumber is " + a.kvno() + ", not "
                            + (key.kvno() - 1) + " as this roll expects; nothing changed");
                }
                ModificationItem[] change = {new ModificationItem(DirContext.REPLACE_ATTRIBUTE,
                        new BasicAttribute("unicodePwd", password))};
                try {
                    ctx.modifyAttributes(a.dn(), change);
                } catch (NoPermissionException e) {
                    throw new KdcException(describe() + ": the bind identity may not reset the password of "
                            + a.dn() + " (" + e.getMessage() + "); grant it Reset Password on the account", e);
                }
                return null;
            });
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        checkKvno(key.kvno());
    }

    @Override
    public Optional<Instant> keyChangedAt(String principal) throws KdcException {
        Long filetime = account().pwdLastSet();
        if (filetime == null || filetime <= 0) {
            return Optional.empty();
        }
        long micros = (filetime - FILETIME_EPOCH) / 10;
        return Optional.of(Instant.EPOCH.plusSeconds(micros / 1_000_000).plusNanos((micros % 1_000_000) * 1000));
    }

    /** Every SPN of the account and the account's own name, besides {@code principal}, all {@code @REALM}. */
    @Override
    public List<String> aliases(String principal) throws KdcException {
        Account found = withLdap(this::find);
        // keys init distributes before it creates the account: then it will have the array SPN and its name only.
        Account a = found != null ? found : new Account("", config.account(), config.computer(), List.of(), 0, null, 0);
        List<String> out = new ArrayList<>();
        for (String spn : a.spns()) {
            String name = spn + "@" + realm;
            if (!name.equalsIgnoreCase(principal) && !out.contains(name)) {
                out.add(name);
            }
        }
        String own = a.samAccountName() + "@" + realm;
        if (!own.equalsIgnoreCase(principal)) {
            out.add(own);
        }
        return out;
    }

    /** What a domain admin runs when the bind identity may not create the account. */
    String manualCommands(String spn) {
        String account = config.account();
        boolean computer = config.computer();
        String name = computer ? account.substring(0, account.length() - 1) : account;
        return "  # Samba:\n"
                + (computer ? "  samba-tool computer create " + name + "\n"
                        : "  samba-tool user create " + account + " --random-password\n"
                        + "  samba-tool user setexpiry " + account + " --noexpiry\n")
                + "  samba-tool spn add " + spn + " " + account + "\n"
                + "  # Windows PowerShell (RSAT ActiveDirectory module):\n"
                + (computer ? "  New-ADComputer -Name " + name + " -SamAccountName '" + account + "' -Enabled $true"
                        + " -KerberosEncryptionType AES128,AES256\n"
                        + "  Set-ADComputer '" + account + "' -ServicePrincipalNames @{Add='" + spn + "'}\n"
                        : "  New-ADUser -Name " + account + " -SamAccountName " + account + " -Enabled $true"
                        + " -PasswordNeverExpires $true -KerberosEncryptionType AES128,AES256"
                        + " -AccountPassword (Read-Host -AsSecureString 'any password; kerbgate replaces it')\n"
                        + "  Set-ADUser " + account + " -ServicePrincipalNames @{Add='" + spn + "'}\n")
                + "  Set-ADAccountPassword '" + account + "' -Reset   # only to unlock it by hand; kerbgate sets it";
    }

    private void checkKvno(int expected) throws KdcException {
        int after = account().kvno();
        if (after != expected) {
            throw new KdcException(describe() + ": after setting the password msDS-KeyVersionNumber is " + after
                    + ", expected " + expected + ": another change raced this one");
        }
    }

    private void requireSpn(Account a, String principal) throws KdcException {
        String spn = spn(principal);
        boolean own = spn.equalsIgnoreCase(a.samAccountName());
        if (!own && a.spns().stream().noneMatch(s -> s.equalsIgnoreCase(spn))) {
            throw new KdcException(describe() + ": " + a.samAccountName() + " lacks the SPN " + spn + " (it has "
                    + a.spns() + "), so the DC issues its tickets from another account. Add it: samba-tool spn add "
                    + spn + " " + a.samAccountName() + ", or Set-ADUser " + a.samAccountName()
                    + " -ServicePrincipalNames @{Add='" + spn + "'}");
        }
    }

    /** {@code msDS-SupportedEncryptionTypes} bits of the array's enctypes; AD has no RFC 8009 keys. */
    private int supportedEnctypeBits() throws KdcException {
        int bits = 0;
        for (Enctype e : enctypes) {
            bits |= switch (e.id()) {
                case 17 -> 0x08;
                case 18 -> 0x10;
                default -> throw new KdcException(describe() + ": Active Directory derives no "
                        + e.kerberosName() + " keys; configure aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96");
            };
        }
        return bits;
    }

    private String spn(String principal) {
        int at = principal.lastIndexOf('@');
        return at < 0 ? principal : principal.substring(0, at);
    }

    private static byte[] unicodePwd(NewKey key) {
        char[] password = key.password();
        char[] quoted = new char[password.length + 2];
        quoted[0] = '"';
        System.arraycopy(password, 0, quoted, 1, password.length);
        quoted[quoted.length - 1] = '"';
        Arrays.fill(password, '\0');
        ByteBuffer encoded = StandardCharsets.UTF_16LE.encode(CharBuffer.wrap(quoted));
        Arrays.fill(quoted, '\0');
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return out;
    }

    private Account account() throws KdcException {
        return withLdap(this::require);
    }

    private Account require(LdapContext ctx) throws NamingException, KdcException {
        Account a = find(ctx);
        if (a == null) {
            throw new KdcException(describe() + ": no account " + config.account() + " in the directory; create it "
                    + "with kerbgate keys init");
        }
        return a;
    }

    private @Nullable Account find(LdapContext ctx) throws NamingException, KdcException {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(ATTRIBUTES);
        controls.setCountLimit(2);
        NamingEnumeration<SearchResult> results = ctx.search(namingContext(ctx),
                "(&(objectClass=user)(sAMAccountName={0}))", new Object[] {config.account()}, controls);
        List<SearchResult> found = new ArrayList<>();
        try {
            while (results.hasMore()) {
                found.add(results.next());
            }
        } catch (PartialResultException e) {
            // AD ends a subtree search of the domain with continuation references (DomainDnsZones, ...), which
            // referral=ignore reports here; the domain's own entries have all been returned by then.
        } finally {
            results.close();
        }
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw new KdcException(describe() + ": two accounts named " + config.account());
        }
        SearchResult r = found.get(0);
        Attributes attrs = r.getAttributes();
        String sam = String.valueOf(attrs.get("sAMAccountName").get());
        boolean computer = values(attrs.get("objectClass")).stream().anyMatch("computer"::equalsIgnoreCase);
        Attribute kvno = attrs.get("msDS-KeyVersionNumber");
        if (kvno == null) {
            throw new KdcException(describe() + ": cannot read msDS-KeyVersionNumber of " + r.getNameInNamespace()
                    + "; grant the bind identity read access to it");
        }
        Attribute pwdLastSet = attrs.get("pwdLastSet");
        Attribute enctypes = attrs.get("msDS-SupportedEncryptionTypes");
        return new Account(r.getNameInNamespace(), sam, computer, values(attrs.get("servicePrincipalName")),
                Integer.parseInt(String.valueOf(kvno.get())),
                pwdLastSet == null ? null : Long.parseLong(String.valueOf(pwdLastSet.get())),
                enctypes == null ? 0 : Integer.parseInt(String.valueOf(enctypes.get())));
    }

    private static List<String> values(@Nullable Attribute attribute) throws NamingException {
        List<String> out = new ArrayList<>();
        if (attribute != null) {
            for (int i = 0; i < attribute.size(); i++) {
                out.add(String.valueOf(attribute.get(i)));
            }
        }
        return out;
    }

    private static String namingContext(LdapContext ctx) throws NamingException {
        Attribute nc = ctx.getAttributes("", new String[] {"defaultNamingContext"}).get("defaultNamingContext");
        if (nc == null) {
            throw new NamingException("the rootDSE has no defaultNamingContext: not an Active Directory DC?");
        }
        return String.valueOf(nc.get());
    }

    private static String escapeRdn(String value) {
        return javax.naming.ldap.Rdn.escapeValue(value).toString();
    }

    @FunctionalInterface
    interface LdapWork<T> {
        T run(LdapContext ctx) throws NamingException, KdcException;
    }

    /** Opens a connection, binds as configured, runs {@code work}, closes. */
    <T> T withLdap(LdapWork<T> work) throws KdcException {
        LdapContext ctx = open();
        try {
            return work.run(ctx);
        } catch (NamingException e) {
            throw new KdcException(describe() + ": " + e, e);
        } finally {
            try {
                ctx.close();
            } catch (NamingException e) {
                // closing a connection we are done with
            }
        }
    }

    private LdapContext open() throws KdcException {
        boolean ldaps = "ldaps".equals(config.ldap().getScheme());
        String serverName = config.tlsServerName() != null ? config.tlsServerName() : config.ldap().getHost();
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, config.ldap().toString());
        env.put(Context.REFERRAL, "ignore");
        env.put("com.sun.jndi.ldap.connect.timeout", "10000");
        env.put("com.sun.jndi.ldap.read.timeout", "30000");
        env.put("java.naming.ldap.attributes.binary", "objectSid");
        SSLSocketFactory tls;
        try {
            tls = ldaps || config.bindDn() != null ? LdapTls.socketFactory(config.ca(), serverName) : null;
        } catch (GeneralSecurityException | IOException e) {
            throw new KdcException(describe() + ": TLS settings (kdc.ca " + config.ca() + "): " + e.getMessage(), e);
        }
        if (ldaps) {
            env.put("java.naming.ldap.factory.socket", LdapTls.JndiSocketFactory.class.getName());
        }
        try {
            if (config.bindDn() != null) {
                return simpleBind(env, ldaps, tls);
            }
            return gssapiBind(env);
        } catch (NamingException e) {
            throw new KdcException(describe() + ": cannot bind: " + e, e);
        }
    }

    private LdapContext simpleBind(Hashtable<String, Object> env, boolean ldaps, SSLSocketFactory tls)
            throws NamingException, KdcException {
        char[] password = readPassword();
        try {
            if (ldaps) {
                env.put(Context.SECURITY_AUTHENTICATION, "simple");
                env.put(Context.SECURITY_PRINCIPAL, config.bindDn());
                env.put(Context.SECURITY_CREDENTIALS, password);
                return LdapTls.openLdaps(env, tls);
            }
            // StartTLS first; the simple bind happens over TLS at the next operation.
            env.put(Context.SECURITY_AUTHENTICATION, "none");
            LdapContext ctx = new InitialLdapContext(env, null);
            StartTlsResponse response = (StartTlsResponse) ctx.extendedOperation(new StartTlsRequest());
            try {
                response.negotiate(tls);
            } catch (IOException e) {
                ctx.close();
                throw new KdcException(describe() + ": StartTLS failed: " + e.getMessage(), e);
            }
            ctx.addToEnvironment(Context.SECURITY_AUTHENTICATION, "simple");
            ctx.addToEnvironment(Context.SECURITY_PRINCIPAL, config.bindDn());
            ctx.addToEnvironment(Context.SECURITY_CREDENTIALS, password.clone());
            ctx.reconnect(null);
            return ctx;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private char[] readPassword() throws KdcException {
        try {
            byte[] bytes = Files.readAllBytes(config.passwordFile());
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
            Arrays.fill(bytes, (byte) 0);
            int end = chars.limit();
            while (end > 0 && (chars.get(end - 1) == '\n' || chars.get(end - 1) == '\r')) {
                end--;
            }
            char[] out = new char[end];
            chars.get(out, 0, end);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return out;
        } catch (IOException e) {
            throw new KdcException(describe() + ": cannot read kdc.bind.password_file " + config.passwordFile()
                    + ": " + e, e);
        }
    }

    /** SASL GSSAPI as kdc.bind.principal with its keytab; sealed (auth-conf), so AD accepts a password change. */
    private LdapContext gssapiBind(Hashtable<String, Object> env) throws NamingException, KdcException {
        if (config.krb5Config() != null) {
            System.setProperty("java.security.krb5.conf", config.krb5Config().toString());
        }
        env.put(Context.SECURITY_AUTHENTICATION, "GSSAPI");
        env.put("javax.security.sasl.qop", "auth-conf");
        Subject subject;
        try {
            subject = GssInitiator.withKeytab(config.bindPrincipal(), config.bindKeytab()).subject();
        } catch (LoginException e) {
            throw new KdcException(describe() + ": cannot log in as " + config.bindPrincipal() + " with "
                    + config.bindKeytab() + ": " + e.getMessage(), e);
        }
        try {
            return Subject.doAs(subject, (PrivilegedExceptionAction<LdapContext>) () -> new InitialLdapContext(env,
                    null));
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof NamingException n) {
                throw n;
            }
            throw new KdcException(describe() + ": GSSAPI bind failed: " + e.getException(), e.getException());
        }
    }
}
