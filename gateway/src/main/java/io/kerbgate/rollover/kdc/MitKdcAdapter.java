package io.kerbgate.rollover.kdc;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.ArrayConfig;
import io.kerbgate.rollover.KdcAdapter;
import io.kerbgate.rollover.KdcException;
import io.kerbgate.rollover.NewKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * MIT krb5 through {@code kadmin.local} (on the KDC host, straight to the database) or {@code kadmin} (to kadmind,
 * as an admin principal with its keytab). {@code cpw -pw} takes a password and the KDC derives the keys with the
 * principal's salt; {@code -e <enctype>:normal} pins both the enctypes and the default salt
 * ({@link Salts#mitDefault}), so the keys the nodes derived are exactly the keys the KDC stores.
 */
public final class MitKdcAdapter implements KdcAdapter {

    private static final Pattern KVNO = Pattern.compile("^Key: vno (\\d+),", Pattern.MULTILINE);
    private static final Pattern LAST_CHANGE = Pattern.compile("^Last password change: (.+)$", Pattern.MULTILINE);
    // kadmin prints ctime(3)-like dates in the zone of TZ, which we set to UTC.
    private static final DateTimeFormatter KADMIN_DATE =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss zzz yyyy", Locale.ROOT);
    private static final Pattern PLAIN_WORD = Pattern.compile("[\\w@./:+=,%-]+");

    private final Kadmin kadmin;
    private final List<Enctype> enctypes;
    private final String describe;

    MitKdcAdapter(Kadmin kadmin, List<Enctype> enctypes, String describe) {
        this.kadmin = kadmin;
        this.enctypes = List.copyOf(enctypes);
        this.describe = describe;
    }

    /** The adapter an array file's {@code kdc: {type: mit, ...}} asks for. */
    public static MitKdcAdapter create(ArrayConfig.MitKdc config, String realm, List<Enctype> enctypes) {
        Map<String, String> env = new HashMap<>();
        env.put("TZ", "UTC");
        if (config.krb5Config() != null) {
            env.put("KRB5_CONFIG", config.krb5Config().toString());
        }
        if (config.kdcProfile() != null) {
            env.put("KRB5_KDC_PROFILE", config.kdcProfile().toString());
        }
        List<String> argv = new ArrayList<>();
        if (config.local()) {
            argv.add(Kadmin.binary("kadmin.local", "/usr/sbin/kadmin.local", "/usr/bin/kadmin.local"));
            argv.addAll(List.of("-r", realm));
        } else {
            argv.add(Kadmin.binary("kadmin", "/usr/bin/kadmin", "/usr/sbin/kadmin"));
            argv.addAll(List.of("-r", realm, "-p", config.adminPrincipal(), "-k", "-t", config.adminKeytab().toString()));
            if (config.server() != null) {
                argv.addAll(List.of("-s", config.server()));
            }
        }
        String describe = "mit " + (config.local() ? "kadmin.local" : "kadmin as " + config.adminPrincipal());
        return new MitKdcAdapter(new Kadmin(argv, env), enctypes, describe);
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public boolean exists(String principal) throws KdcException {
        Kadmin.Output out = kadmin.run("getprinc " + word(principal), List.of());
        if (out.stdout().contains("Principal: ")) {
            return true;
        }
        if (out.stderr().contains("Principal does not exist")) {
            return false;
        }
        throw failed("getprinc " + principal, out);
    }

    @Override
    public int currentKvno(String principal) throws KdcException {
        Kadmin.Output out = kadmin.run("getprinc " + word(principal), List.of());
        Matcher m = KVNO.matcher(out.stdout());
        int kvno = -1;
        while (m.find()) {
            kvno = Math.max(kvno, Integer.parseInt(m.group(1)));
        }
        if (kvno < 0) {
            throw failed("getprinc " + principal, out);
        }
        return kvno;
    }

    @Override
    public String salt(String principal) {
        return Salts.mitDefault(principal);
    }

    @Override
    public boolean needsPassword() {
        return true;
    }

    @Override
    public int firstKvno() {
        return 1;
    }

    @Override
    public void create(String principal, NewKey key) throws KdcException {
        String password = new String(key.password());
        Kadmin.Output out = kadmin.run("addprinc -pw " + word(password) + " -e " + keySalts() + " "
                + word(principal), List.of(password));
        if (!out.stdout().contains("\"" + principal + "\" created")) {
            throw failed("addprinc " + principal, out);
        }
    }

    @Override
    public void commit(String principal, NewKey key) throws KdcException {
        String password = new String(key.password());
        Kadmin.Output out = kadmin.run("cpw -pw " + word(password) + " -e " + keySalts() + " " + word(principal),
                List.of(password));
        if (!out.stdout().contains("\"" + principal + "\" changed")) {
            throw failed("cpw " + principal, out);
        }
    }

    @Override
    public Optional<Instant> keyChangedAt(String principal) throws KdcException {
        Kadmin.Output out = kadmin.run("getprinc " + word(principal), List.of());
        Matcher m = LAST_CHANGE.matcher(out.stdout());
        if (!m.find()) {
            throw failed("getprinc " + principal, out);
        }
        try {
            return Optional.of(ZonedDateTime.parse(m.group(1).trim(), KADMIN_DATE).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code ktadd -norandkey} into a fresh keytab in a private temporary directory (0700), read back and deleted at
     * once: the keys never reach a command line or an output.
     */
    @Override
    public Optional<List<KeytabEntry>> currentKeys(String principal) throws KdcException {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("kerbgate-export-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path keytab = tmp.resolve("current.keytab");
            Kadmin.Output out = kadmin.run("ktadd -norandkey -k " + word(keytab.toString()) + " " + word(principal),
                    List.of());
            if (!Files.exists(keytab) || !out.stdout().contains("added to keytab")) {
                throw failed("ktadd -norandkey " + principal, out);
            }
            return Optional.of(KeytabFile.parse(Files.readAllBytes(keytab)).stream()
                    .filter(e -> e.principal().equals(principal)).toList());
        } catch (IOException | KeytabException e) {
            throw new KdcException(describe + ": cannot read the keys ktadd exported: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp.resolve("current.keytab"));
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // best effort; the directory is 0700
                }
            }
        }
    }

    /** {@code aes256-cts-hmac-sha1-96:normal,...}: the enctypes of the array file with the default salt. */
    private String keySalts() {
        return enctypes.stream().map(e -> e.kerberosName() + ":normal").collect(Collectors.joining(","));
    }

    private KdcException failed(String what, Kadmin.Output out) {
        return new KdcException(describe + ": " + what + " failed: " + Kadmin.oneLine(out.both()));
    }

    // kadmin splits its query on white space and quotes: refuse anything that is not one plain word.
    private static String word(String s) {
        if (!PLAIN_WORD.matcher(s).matches()) {
            throw new IllegalArgumentException("not a plain word for kadmin (white space, quote or backslash)");
        }
        return s;
    }
}
