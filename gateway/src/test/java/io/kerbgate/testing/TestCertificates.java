package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test certificates made with the {@code openssl} CLI at test time, never committed: a CA and the server certificates
 * it issues, EC P-256 keys in PKCS#8 PEM, SHA-256 signatures, valid two days.
 *
 * <pre>{@code
 * TestCertificates.Ca ca = TestCertificates.ca(dir, "kerbgate test CA");
 * TestCertificates.Pair pair = ca.issue("server", 1001, "DNS:array.example.test", "IP:127.0.0.1");
 * }</pre>
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A certificate and its key, both PEM files. */
    public record Pair(Path cert, Path key) {}

    /** A CA that issues server certificates into its directory. */
    public record Ca(Path dir, Pair pair) {

        /**
         * Issues a server certificate.
         *
         * @param name             the file names' stem and the subject CN
         * @param serial           the certificate's serial number
         * @param subjectAltNames  {@code DNS:host} or {@code IP:address} entries
         */
        public Pair issue(String name, long serial, String... subjectAltNames) {
            return issueWithUsage(name, serial, "serverAuth", subjectAltNames);
        }

        /** Issues a client certificate (extendedKeyUsage clientAuth) with the subject {@code CN=name}. */
        public Pair issueClient(String name, long serial) {
            return issueWithUsage(name, serial, "clientAuth", "DNS:" + slug(name) + ".client.test");
        }

        private Pair issueWithUsage(String name, long serial, String usage, String... subjectAltNames) {
            Path cert = dir.resolve(name + ".pem");
            Path key = dir.resolve(name + ".key");
            Path csr = dir.resolve(name + ".csr");
            Path ext = dir.resolve(name + ".ext");
            write(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    + "extendedKeyUsage=" + usage + "\nsubjectAltName=" + String.join(",", subjectAltNames) + "\n");
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc",
                    "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
            openssl("x509", "-req", "-in", csr.toString(), "-CA", pair.cert().toString(), "-CAkey",
                    pair.key().toString(), "-set_serial", Long.toString(serial), "-days", "2", "-sha256",
                    "-extfile", ext.toString(), "-out", cert.toString());
            SecretFile.chmod600(key);
            return new Pair(cert, key);
        }
    }

    /** A self-signed CA in {@code dir}. */
    public static Ca ca(Path dir, String name) {
        Path cert = dir.resolve(slug(name) + "-ca.pem");
        Path key = dir.resolve(slug(name) + "-ca.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-sha256",
                "-days", "2", "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        SecretFile.chmod600(key);
        return new Ca(dir, new Pair(cert, key));
    }

    /** The serial number of the certificate in a PEM file, as {@code openssl x509 -serial} prints it (hex). */
    public static String serial(Path cert) {
        return openssl("x509", "-in", cert.toString(), "-noout", "-serial").strip().replaceFirst("^serial=", "");
    }

    private static String openssl(String... args) {
        List<String> argv = new ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        return Processes.command(argv).run().stdout();
    }

    private static String slug(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
