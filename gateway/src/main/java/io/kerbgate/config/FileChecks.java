package io.kerbgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the config demands of the files it names, checked when it is read so that a wrong path fails
 * {@code check-config} and the start, not the first request: present, regular, readable, of the right kind, and for
 * secrets readable by kerbgate's user alone ({@link ConfigValues#requirePrivate}).
 */
final class FileChecks {

    static final String KEYTAB_FIX = "point keytab at the array's keytab (kerbgate keys init writes one)";

    private FileChecks() {}

    /** A file that exists and is a regular file. */
    static Path existingFile(String key, Path path, String fix) throws ConfigException {
        if (!Files.exists(path)) {
            throw new ConfigException(key, path + " does not exist", fix);
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(key, path + " is not a regular file", fix);
        }
        return path;
    }

    /** A file that exists, can be read and is not empty (a password file, a CA); {@code readFix} when unreadable. */
    static Path nonEmptyFile(String key, Path path, String fix, String readFix) throws ConfigException {
        existingFile(key, path, fix);
        try (InputStream in = Files.newInputStream(path)) {
            if (in.read() == -1) {
                throw new ConfigException(key, path + " is empty", fix);
            }
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable", readFix);
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
        return path;
    }

    /** A keytab: starts with the format byte, and only kerbgate's user may read it. */
    static Path keytab(String key, Path path) throws ConfigException {
        existingFile(key, path, KEYTAB_FIX);
        int first;
        try (InputStream in = Files.newInputStream(path)) {
            first = in.read();
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable",
                    "let the user that runs kerbgate read it, and nobody else: it holds the service keys");
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", KEYTAB_FIX, e);
        }
        if (first == -1) {
            throw new ConfigException(key, path + " is empty", KEYTAB_FIX);
        }
        // Every keytab starts with the format byte 0x05 (MIT keytab format, versions 0x0501 and 0x0502).
        if (first != 0x05) {
            throw new ConfigException(key, path + " is not a keytab (it does not start with 0x05)", KEYTAB_FIX);
        }
        ConfigValues.requirePrivate(key, path);
        return path;
    }

    static long size(String key, Path path, String fix) throws ConfigException {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
    }

    /** {@link #existingFile} that is readable PEM with a block of {@code type} ({@link #requirePem}). */
    static Path pemFile(String key, Path path, String type, String fix) throws ConfigException {
        existingFile(key, path, fix);
        requirePem(key, path, type, fix);
        return path;
    }

    /** Checks that {@code path} is readable PEM with a block of {@code type}, and says how to convert the usual others. */
    private static void requirePem(String key, Path path, String type, String fix) throws ConfigException {
        String text;
        try {
            text = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable", "let the user that runs kerbgate read it");
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
        if (text.contains("-----BEGIN " + type + "-----")) {
            return;
        }
        if (type.equals("PRIVATE KEY") && text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new ConfigException(key, path + " is an encrypted key", "decrypt it (openssl pkcs8 -in " + path
                    + " -out plain.pem) and let only kerbgate's user read the result");
        }
        if (type.equals("PRIVATE KEY") && text.matches("(?s).*-----BEGIN (RSA|EC) PRIVATE KEY-----.*")) {
            throw new ConfigException(key, path + " is a PKCS#1/SEC1 key, not PKCS#8",
                    "convert it: openssl pkcs8 -topk8 -nocrypt -in " + path + " -out privkey.pem");
        }
        throw new ConfigException(key, path + " holds no PEM " + type, fix);
    }
}
