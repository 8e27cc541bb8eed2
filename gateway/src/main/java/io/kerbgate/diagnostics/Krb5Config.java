package io.kerbgate.diagnostics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a krb5.conf (MIT profile syntax, krb5.conf(5)) that diagnose needs: {@code [libdefaults]} relations
 * and each realm's {@code kdc} entries. With several files (a {@code KRB5_CONFIG} list), the first file that sets a
 * relation wins, as in MIT's profile library. Includes are not followed; a realm found nowhere is reported as such.
 *
 * @param files       the files that were read, in order
 * @param libdefaults {@code [libdefaults]} relations, names lower-cased
 * @param kdcs        {@code kdc} entries by realm, in file order
 */
record Krb5Config(List<Path> files, Map<String, String> libdefaults, Map<String, List<Kdc>> kdcs) {

    /** One {@code kdc = [tcp/|udp/]host[:port]} entry; port 88 when none is written. */
    record Kdc(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static Krb5Config read(List<Path> files) throws IOException {
        Map<String, String> libdefaults = new LinkedHashMap<>();
        Map<String, List<Kdc>> kdcs = new LinkedHashMap<>();
        List<Path> read = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            read.add(file);
            parse(Files.readAllLines(file), libdefaults, kdcs);
        }
        return new Krb5Config(read, libdefaults, kdcs);
    }

    @Nullable String defaultRealm() {
        return libdefaults.get("default_realm");
    }

    private static void parse(List<String> lines, Map<String, String> libdefaults, Map<String, List<Kdc>> kdcs) {
        String section = "";
        String realm = null;
        int depth = 0;
        Map<String, List<Kdc>> fromThisFile = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (depth == 0 && line.startsWith("[")) {
                int end = line.indexOf(']');
                section = (end > 0 ? line.substring(1, end) : line.substring(1)).strip().toLowerCase(Locale.ROOT);
                continue;
            }
            if (line.startsWith("}")) {
                depth = Math.max(0, depth - 1);
                if (depth == 0) {
                    realm = null;
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.equals("{")) {
                if (depth == 0 && section.equals("realms")) {
                    realm = name;
                }
                depth++;
                continue;
            }
            if (depth == 0 && section.equals("libdefaults")) {
                libdefaults.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
            } else if (depth == 1 && realm != null && name.equalsIgnoreCase("kdc")) {
                fromThisFile.computeIfAbsent(realm, r -> new ArrayList<>()).add(kdc(value));
            }
        }
        // A realm's kdc list from an earlier file takes precedence over a later file's.
        fromThisFile.forEach(kdcs::putIfAbsent);
    }

    static Kdc kdc(String value) {
        String v = value;
        if (v.startsWith("tcp/") || v.startsWith("udp/")) {
            v = v.substring(4);
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            String host = v.substring(1, close);
            return new Kdc(host, close + 2 <= v.length() && v.charAt(close + 1) == ':'
                    ? port(v.substring(close + 2)) : 88);
        }
        int colon = v.lastIndexOf(':');
        if (colon > 0 && v.indexOf(':') == colon) {
            return new Kdc(v.substring(0, colon), port(v.substring(colon + 1)));
        }
        return new Kdc(v, 88);
    }

    private static int port(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return 88;
        }
    }
}
