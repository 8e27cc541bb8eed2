package io.kerbgate.identity;

import io.kerbgate.config.GroupNamesConfig;
import io.kerbgate.ldap.LdapTls;
import io.kerbgate.pac.Sid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.PartialResultException;
import javax.naming.directory.Attribute;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.LdapContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Looks SIDs up in Active Directory: one LDAPS connection and simple bind per lookup, a subtree search under
 * {@code base_dn} for {@code (|(objectSid=\01\05...)...)} in batches, {@code sAMAccountName} read back.
 */
final class LdapGroupDirectory implements GroupNames.Directory {

    static final int BATCH = 100;
    private static final String CONNECT_TIMEOUT_MS = "5000";
    private static final String READ_TIMEOUT_MS = "10000";

    private final GroupNamesConfig config;

    LdapGroupDirectory(GroupNamesConfig config) {
        this.config = config;
    }

    @Override
    public Map<String, String> names(Set<String> sids) throws Exception {
        List<String> valid = new ArrayList<>(sids.size());
        for (String sid : sids) {
            try {
                Sid.parse(sid);
                valid.add(sid);
            } catch (IllegalArgumentException e) {
                // not a SID the directory could hold: no name
            }
        }
        Map<String, String> names = new HashMap<>();
        if (valid.isEmpty()) {
            return names;
        }
        SSLSocketFactory tls = LdapTls.socketFactory(config.ca(), config.ldap().getHost());
        LdapContext ctx = LdapTls.openLdaps(environment(), tls);
        try {
            for (int from = 0; from < valid.size(); from += BATCH) {
                search(ctx, valid.subList(from, Math.min(valid.size(), from + BATCH)), names);
            }
        } finally {
            ctx.close();
        }
        return names;
    }

    private Hashtable<String, Object> environment() throws java.io.IOException {
        String password = Files.readString(config.passwordFile(), StandardCharsets.UTF_8);
        password = password.endsWith("\r\n") ? password.substring(0, password.length() - 2)
                : password.endsWith("\n") ? password.substring(0, password.length() - 1) : password;
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, config.ldap().toString());
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, config.bindDn());
        env.put(Context.SECURITY_CREDENTIALS, password);
        env.put(Context.REFERRAL, "ignore");
        env.put("java.naming.ldap.attributes.binary", "objectSid");
        env.put("com.sun.jndi.ldap.connect.timeout", CONNECT_TIMEOUT_MS);
        env.put("com.sun.jndi.ldap.read.timeout", READ_TIMEOUT_MS);
        return env;
    }

    private void search(LdapContext ctx, List<String> sids, Map<String, String> names) throws NamingException {
        StringBuilder filter = new StringBuilder("(|");
        for (String sid : sids) {
            filter.append("(objectSid=").append(filterValue(Sid.parse(sid))).append(')');
        }
        filter.append(')');
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(new String[] {"objectSid", "sAMAccountName"});
        controls.setCountLimit(sids.size());
        NamingEnumeration<SearchResult> results = ctx.search(config.baseDn(), filter.toString(), controls);
        try {
            while (results.hasMore()) {
                SearchResult r = results.next();
                Attribute sid = r.getAttributes().get("objectSid");
                Attribute name = r.getAttributes().get("sAMAccountName");
                if (sid != null && name != null && sid.get() instanceof byte[] bytes && name.get() instanceof String n) {
                    try {
                        names.put(decode(bytes).toString(), n);
                    } catch (IllegalArgumentException e) {
                        // a malformed objectSid names nothing we asked for
                    }
                }
            }
        } catch (PartialResultException e) {
            // referrals (other naming contexts) are not followed
        } finally {
            results.close();
        }
    }

    /** The binary SID (MS-DTYP 2.4.2.2) as an LDAP filter value: every byte escaped, {@code \01\05\00...}. */
    static String filterValue(Sid sid) {
        StringBuilder b = new StringBuilder();
        for (byte x : encode(sid)) {
            b.append('\\').append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return b.toString();
    }

    static byte[] encode(Sid sid) {
        int[] subs = sid.subAuthorities();
        byte[] out = new byte[8 + 4 * subs.length];
        out[0] = (byte) sid.revision();
        out[1] = (byte) subs.length;
        for (int i = 0; i < 6; i++) {
            out[2 + i] = (byte) (sid.authority() >>> (8 * (5 - i)));
        }
        for (int i = 0; i < subs.length; i++) {
            for (int j = 0; j < 4; j++) {
                out[8 + 4 * i + j] = (byte) (subs[i] >>> (8 * j));
            }
        }
        return out;
    }

    static Sid decode(byte[] in) {
        if (in.length < 8 || in.length != 8 + 4 * (in[1] & 0xff)) {
            throw new IllegalArgumentException("not a binary SID: " + in.length + " bytes");
        }
        long authority = 0;
        for (int i = 0; i < 6; i++) {
            authority = (authority << 8) | (in[2 + i] & 0xff);
        }
        int[] subs = new int[in[1] & 0xff];
        for (int i = 0; i < subs.length; i++) {
            int o = 8 + 4 * i;
            subs[i] = (in[o] & 0xff) | (in[o + 1] & 0xff) << 8 | (in[o + 2] & 0xff) << 16 | (in[o + 3] & 0xff) << 24;
        }
        return new Sid(in[0] & 0xff, authority, subs);
    }
}
