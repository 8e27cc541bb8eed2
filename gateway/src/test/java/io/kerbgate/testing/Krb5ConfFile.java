package io.kerbgate.testing;

import io.kerbgate.crypto.Enctype;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes the {@code krb5.conf} that every client of a test KDC reads: the JDK, MIT kinit/klist, curl and python-gssapi.
 * Hosts under {@code example.test} map to the realm.
 */
final class Krb5ConfFile {

    private Krb5ConfFile() {
    }

    /**
     * The krb5.conf names of the AES enctypes kerbgate accepts (ACCEPTOR-CHECKLIST §4.11), in order, space-separated
     * as krb5.conf lists them; the names are {@link Enctype#kerberosName()}, the gateway's own.
     *
     * @throws IllegalArgumentException for none, or any number outside 17..20
     */
    static String enctypeNames(int... numbers) {
        if (numbers.length == 0) {
            throw new IllegalArgumentException("at least one enctype is needed");
        }
        return Arrays.stream(numbers).mapToObj(n -> {
            Enctype e = n >= 17 && n <= 20 ? Enctype.fromId(n) : null;
            if (e == null) {
                throw new IllegalArgumentException("enctype " + n + " is not one of 17, 18, 19, 20");
            }
            return e.kerberosName();
        }).collect(Collectors.joining(" "));
    }

    /**
     * @param enctypes asked for in AS and TGS requests and permitted, in this order of preference. A KDC picks the
     *                 ticket's enctype from what the client asks for, so this list is how a test chooses it.
     */
    static Path write(Path file, String realm, int kdcPort, int... enctypes) {
        String names = enctypeNames(enctypes);
        // No DNS anywhere (the test hosts do not resolve) and TCP only, so a test never waits on a UDP retry. The short
        // JDK timeout makes a dead KDC fail the test in seconds instead of hanging it.
        String text = String.join("\n",
                "[libdefaults]",
                "  default_realm = " + realm,
                "  dns_lookup_kdc = false",
                "  dns_lookup_realm = false",
                "  dns_canonicalize_hostname = false",
                "  rdns = false",
                "  udp_preference_limit = 1",
                "  kdc_timeout = 5000",
                "  max_retries = 1",
                "  default_tkt_enctypes = " + names,
                "  default_tgs_enctypes = " + names,
                "  permitted_enctypes = " + names,
                "",
                "[realms]",
                "  " + realm + " = {",
                "    kdc = 127.0.0.1:" + kdcPort,
                "  }",
                "",
                "[domain_realm]",
                "  .example.test = " + realm,
                "  example.test = " + realm,
                "");
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
